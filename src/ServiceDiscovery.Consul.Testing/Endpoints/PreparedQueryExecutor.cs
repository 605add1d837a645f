// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/query/:id-or-name/execute</c> (agent/consul/prepared_query_endpoint.go <c>Execute</c>): the query (a
/// template rendered for the name) is run in the answering datacenter (see <see cref="PreparedQuerySelection"/>), the
/// result shuffled, the near node (<c>?near=</c>, else the query's <c>Near</c>; <c>_agent</c>, <c>_ip</c>) moved first,
/// cut to <c>?limit</c>. An empty result fails over to other datacenters (see <see cref="PreparedQueryFailover"/>).
/// Instances are filtered by ACLs as the query's own <c>Token</c> sees them, or the caller's when the query has none
/// (<c>node:read</c> and <c>service:read</c>; <c>X-Consul-Results-Filtered-By-ACLs</c> when the caller sent a token),
/// in whichever datacenter answers.
/// </summary>
internal static class PreparedQueryExecutor
{
    public static async Task ExecuteAsync(AgentRequest r, string idOrName)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var limit = 0;
        if (r.Query.Get("limit") is { Length: > 0 } rawLimit && !int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit))
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"strconv.Atoi: parsing \"{rawLimit}\": invalid syntax").ConfigureAwait(false);
            return;
        }

        JsonObject? query;
        try
        {
            lock (r.Store.Sync)
            {
                query = PreparedQueryStore.For(r.Store).Find(idOrName)?.DeepClone().AsObject();
            }
        }
        catch (InvalidOperationException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 500, ex.Message).ConfigureAwait(false);
            return;
        }

        if (query is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, "Query not found").ConfigureAwait(false);
            return;
        }

        if (await ResolveQueryTokenAsync(r, query).ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        // Execute is not a blocking query in Consul (the server runs it once, whatever ?index says).
        var selection = new PreparedQuerySelection(query);
        var entries = await blocking.AnsweringAtOnce().RunAsync(r, () => selection.Run(r.Store)).ConfigureAwait(false);
        var readable = Readable(authorizer, entries);
        var filtered = readable.Count < entries.Count;
        entries = MoveNearFirst(r, query, Shuffle(readable));
        if (limit > 0 && entries.Count > limit)
        {
            entries = entries[..limit];
        }

        var answer = new PreparedQueryAnswer(r.Datacenter, entries, 0, null, filtered);
        if (entries.Count == 0)
        {
            answer = await PreparedQueryFailover.RunAsync(r, selection, FilterToken(r, query), limit, answer).ConfigureAwait(false);
        }

        // The flag is the answering datacenter's: a failover answer replaces the local one, its ACL filtering included.
        if (answer.FilteredByAcls && r.Token.Length > 0)
        {
            r.Response.Headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
        }

        if (answer.Index is { } remoteIndex)
        {
            r.Response.Headers["X-Consul-Index"] = remoteIndex.ToString(CultureInfo.InvariantCulture);
        }

        var index = ulong.Parse(r.Response.Headers["X-Consul-Index"].ToString(), CultureInfo.InvariantCulture);
        var consistency = r.Response.Headers["X-Consul-Effective-Consistency"].ToString();
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteString("Service", selection.Service);
            w.WriteStartArray("Nodes");
            foreach (var e in answer.Entries)
            {
                HealthEndpoints.WriteEntry(w, e);
            }

            w.WriteEndArray();
            w.WritePropertyName("DNS");
            query["DNS"]!.WriteTo(w);
            w.WriteString("Datacenter", answer.Datacenter);
            w.WriteNumber("Failovers", answer.Failovers);
            ModelWriter.WriteQueryMetaFields(w, index, consistency);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The instances <paramref name="authorizer"/> may see: <c>node:read</c> on the node and <c>service:read</c> on the service.</summary>
    internal static List<HealthEntry> Readable(Acl.Authorizer authorizer, List<HealthEntry> entries) =>
        entries.Where(e => authorizer.Allows(ConsulTestAclResource.Node, e.Node.Name, ConsulTestAclAccess.Read)
            && authorizer.Allows(ConsulTestAclResource.Service, e.Service.Name, ConsulTestAclAccess.Read)).ToList();

    /// <summary>The token whose view filters the instances: the query's stored one, else the request's.</summary>
    private static string FilterToken(AgentRequest r, JsonObject query) =>
        (string?)query["Token"] is { Length: > 0 } stored ? stored : r.Token;

    /// <summary>The authorizer of the query's stored token, else of the request's; writes 403 <c>ACL not found</c> for an unknown one.</summary>
    private static Task<Acl.Authorizer?> ResolveQueryTokenAsync(AgentRequest r, JsonObject query)
    {
        var stored = (string?)query["Token"] ?? string.Empty;
        if (stored.Length == 0)
        {
            return r.AuthorizeAsync();
        }

        return r.Acl.Resolve(stored, r.Store) is { } authorizer
            ? Task.FromResult<Acl.Authorizer?>(authorizer)
            : WriteNotFoundAsync(r);
    }

    private static async Task<Acl.Authorizer?> WriteNotFoundAsync(AgentRequest r)
    {
        await Responses.WriteErrorAsync(r.Context, 403, Acl.AclResolver.NotFound).ConfigureAwait(false);
        return null;
    }

    /// <summary>Nodes.Shuffle: the order carries no meaning, so clients must not rely on one.</summary>
    internal static List<HealthEntry> Shuffle(List<HealthEntry> entries)
    {
        var shuffled = entries.ToArray();
        Random.Shared.Shuffle(shuffled);
        return [.. shuffled];
    }

    /// <summary>
    /// The query source's node first: <c>?near=</c> (<c>_agent</c> is the agent's node) over the query's <c>Near</c>
    /// (<c>_agent</c> likewise); <c>_ip</c> is the node whose address is the caller's (<c>X-Forwarded-For</c> first).
    /// Only when the answer is from the source's datacenter (<c>?dc=</c>, else the agent's).
    /// </summary>
    private static List<HealthEntry> MoveNearFirst(AgentRequest r, JsonObject query, List<HealthEntry> entries)
    {
        var near = r.Query.Get("near") is { Length: > 0 } fromQuery ? fromQuery : (string?)query["Service"]!["Near"] ?? string.Empty;
        near = near switch
        {
            "_agent" => r.Local.Node.Name,
            "_ip" => NodeByAddress(entries, CallerAddress(r)),
            _ => near,
        };
        var index = entries.FindIndex(e => string.Equals(e.Node.Name, near, StringComparison.OrdinalIgnoreCase));
        if (near.Length == 0 || index <= 0)
        {
            return entries;
        }

        (entries[0], entries[index]) = (entries[index], entries[0]);
        return entries;
    }

    private static string NodeByAddress(List<HealthEntry> entries, string address) =>
        entries.FirstOrDefault(e => e.Node.Address == address)?.Node.Name ?? string.Empty;

    private static string CallerAddress(AgentRequest r) =>
        r.Context.Request.Headers["X-Forwarded-For"].ToString() is { Length: > 0 } forwarded
            ? forwarded.Split(',')[0].Trim()
            : r.Context.Connection.RemoteIpAddress?.ToString() ?? string.Empty;
}

/// <summary>
/// What an execution answers: the datacenter whose instances these are, how many datacenters were tried, a remote
/// index, and whether ACLs left instances out of this answer.
/// </summary>
internal sealed record PreparedQueryAnswer(string Datacenter, List<HealthEntry> Entries, int Failovers, ulong? Index, bool FilteredByAcls);
