// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/query/:id-or-name/execute</c>: the query's service instances in this datacenter, without critical ones
/// (nor warning ones with <c>OnlyPassing</c>; checks in <c>IgnoreCheckIDs</c> do not count), filtered by <c>Tags</c>
/// (<c>!tag</c> excludes), <c>NodeMeta</c> and <c>ServiceMeta</c>, the agent's node first with <c>Near</c> (or
/// <c>?near=_agent</c>), cut to <c>?limit</c>. Failover to other datacenters never happens (there are none).
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
        lock (r.Store.Sync)
        {
            query = PreparedQueryStore.For(r.Store).Find(idOrName)?.DeepClone().AsObject();
        }

        if (query is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, "Query not found").ConfigureAwait(false);
            return;
        }

        var service = query["Service"]!;
        var name = (string)service["Service"]!;
        var onlyPassing = (bool)service["OnlyPassing"]!;
        var ignored = Strings(service["IgnoreCheckIDs"]);
        var tags = Strings(service["Tags"]);
        var nodeMeta = Map(service["NodeMeta"]);
        var serviceMeta = Map(service["ServiceMeta"]);
        var near = r.Query.Get("near") is { Length: > 0 } n ? n : (string)service["Near"]!;

        var entries = await blocking.RunAsync(r, () =>
        {
            var store = r.Store;
            var list = new List<HealthEntry>();
            foreach (var node in store.NodesByName.Where(x => nodeMeta.All(m => x.Node.NodeMeta.TryGetValue(m.Key, out var v) && v == m.Value)))
            {
                foreach (var instance in store.InstancesOn(node, name).OrderBy(s => s.Id, StringComparer.Ordinal))
                {
                    if (!TagsMatch(instance, tags) || !serviceMeta.All(m => instance.Meta.TryGetValue(m.Key, out var v) && v == m.Value))
                    {
                        continue;
                    }

                    var checks = node.Checks.Values.Where(c => c.IsInCatalog && (c.ServiceId.Length == 0 || c.ServiceId == instance.Id))
                        .Select(HealthEndpoints.Snapshot).ToList();
                    var counted = checks.Where(c => !ignored.Contains(c.CheckId)).ToList();
                    if (counted.Any(c => c.CatalogStatus == "critical") || (onlyPassing && counted.Any(c => c.CatalogStatus == "warning")))
                    {
                        continue;
                    }

                    list.Add(new HealthEntry(node.Node, instance, checks));
                }
            }

            return (Math.Max(store.ServiceIndex(name, checksTable: true), 1), list);
        }).ConfigureAwait(false);

        var nearNode = near == "_agent" ? r.Local.Node.Name : near;
        if (nearNode.Length > 0)
        {
            entries = [.. entries.Where(e => e.Node.Name == nearNode), .. entries.Where(e => e.Node.Name != nearNode)];
        }

        if (limit > 0 && entries.Count > limit)
        {
            entries = entries[..limit];
        }

        var index = ulong.Parse(r.Response.Headers["X-Consul-Index"].ToString(), CultureInfo.InvariantCulture);
        var consistency = r.Response.Headers["X-Consul-Effective-Consistency"].ToString();
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteString("Service", name);
            w.WriteStartArray("Nodes");
            foreach (var e in entries)
            {
                HealthEndpoints.WriteEntry(w, e);
            }

            w.WriteEndArray();
            w.WritePropertyName("DNS");
            query["DNS"]!.WriteTo(w);
            w.WriteString("Datacenter", r.Datacenter);
            w.WriteNumber("Failovers", 0);
            ModelWriter.WriteQueryMetaFields(w, index, consistency);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>prepared_query tagFilter: every plain tag present and no <c>!tag</c> present, case-insensitively.</summary>
    private static bool TagsMatch(ServiceRecord service, List<string> tags) => tags.All(t =>
        t.StartsWith('!')
            ? !service.Tags.Any(s => string.Equals(s, t[1..], StringComparison.OrdinalIgnoreCase))
            : service.Tags.Any(s => string.Equals(s, t, StringComparison.OrdinalIgnoreCase)));

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(x => x?.ToString() ?? string.Empty)] : [];

    private static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal) : new(StringComparer.Ordinal);
}
