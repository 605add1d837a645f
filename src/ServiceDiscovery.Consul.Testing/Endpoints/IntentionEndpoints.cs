// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The intention endpoints (agent/intentions_endpoint.go) over the store's <c>service-intentions</c> entries:
/// <c>/v1/connect/intentions</c> (list, blocking; legacy create), <c>/exact</c> (get, upsert, delete by name),
/// <c>/check</c>, <c>/match</c> (blocking) and <c>/:id</c> (get, update, delete of legacy intentions). Writes need
/// Connect enabled; refused writes are Consul's plain errors, so 500s. ACLs as Consul enforces them (see
/// <see cref="IntentionAcl"/>): lists drop what the token may not read (<c>X-Consul-Results-Filtered-By-ACLs</c>), reads
/// and writes of one intention answer 403 <c>Permission denied</c>, match needs <c>intention:read</c> on every name.
/// </summary>
internal static class IntentionEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/connect/intentions", ["GET", "POST"], r => r.Method == "GET" ? ListAsync(r) : CreateAsync(r));
        router.Add("/v1/connect/intentions/exact", ["GET", "PUT", "DELETE"], ExactAsync);
        router.Add("/v1/connect/intentions/check", ["GET"], CheckAsync);
        router.Add("/v1/connect/intentions/match", ["GET"], MatchAsync);
        router.Add("/v1/connect/intentions/", ["GET", "PUT", "DELETE"], ByIdAsync);
    }

    private static async Task ListAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var (list, filtered) = await blocking.RunAsync(r, () =>
        {
            var all = r.Store.Intentions.All();
            var readable = all.Where(i => IntentionAcl.CanRead(authorizer, i)).ToList();
            return (r.Store.Intentions.Index, (IntentionJson.Intentions(readable), readable.Count < all.Count));
        }).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            list.WriteTo(w);
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task CreateAsync(AgentRequest r)
    {
        if (await ReadIntentionAsync(r).ConfigureAwait(false) is not { } body
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await IntentionAcl.RequireAsync(r, IntentionAcl.CanWrite(authorizer, body.DestinationName)).ConfigureAwait(false))
        {
            return;
        }

        var error = body.Id.Length > 0 ? "ID must be empty when creating a new intention"
            : IntentionRequestReader.Validate(body.SourceName, body.DestinationName, body.Source, legacy: true);
        string? id = null;
        error ??= Write(r, (store, now, index) => id = store.LegacyCreate(body.DestinationName, body.Source, now, index));
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        var json = new JsonObject { ["ID"] = id };
        await Responses.WriteJsonAsync(r, w => json.WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task ExactAsync(AgentRequest r)
    {
        if (await RequirePairAsync(r).ConfigureAwait(false) is not var (source, destination))
        {
            return;
        }

        if (r.Method == "GET")
        {
            await WriteOneAsync(r, store => store.Exact(source, destination)).ConfigureAwait(false);
            return;
        }

        var body = r.Method == "PUT" ? await ReadIntentionAsync(r).ConfigureAwait(false) : default;
        if ((r.Method == "PUT" && body is null)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await IntentionAcl.RequireAsync(r, IntentionAcl.CanWrite(authorizer, destination)).ConfigureAwait(false))
        {
            return;
        }

        switch (r.Method)
        {
            case "PUT":

                await AnswerWriteAsync(r, IntentionRequestReader.Validate(source, destination, body!.Value.Source, legacy: false)
                    ?? Write(r, (store, _, index) => store.Upsert(destination, WithName(body.Value.Source, source), index))).ConfigureAwait(false);
                return;
            default:
                await AnswerWriteAsync(r, Write(r, (store, _, index) => store.DeleteExact(source, destination, index))).ConfigureAwait(false);
                return;
        }
    }

    private static async Task CheckAsync(AgentRequest r)
    {
        if (await RequirePairAsync(r).ConfigureAwait(false) is not var (source, destination))
        {
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, destination, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        bool allowed;
        lock (r.Store.Sync)
        {
            // Consul 1.21's check ignores default_intention_policy (fixed later): only the ACL default decides a miss.
            allowed = IntentionDecision.Decide(r.Store.Intentions, source, destination, string.Empty, r.Acl.DefaultPolicy == "allow").Allowed;
        }

        var json = new JsonObject { ["Allowed"] = allowed };
        await Responses.WriteJsonAsync(r, w => json.WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task MatchAsync(AgentRequest r)
    {
        var by = r.Query.Get("by");
        var names = r.Query.GetAll("name");
        var error = by.Length == 0 ? "required query parameter 'by' not set"
            : by is not ("source" or "destination") ? "'by' parameter must be one of 'source' or 'destination'"
            : names.Count == 0 ? "required query parameter 'name' not set"
            : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        foreach (var name in names.Where(n => n.Length > 0))
        {
            if (!await r.RequireAsync(authorizer, AclResourceKind.Intention, name, AclAccessLevel.Read).ConfigureAwait(false))
            {
                return;
            }
        }

        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var result = await blocking.RunAsync(r, () =>
        {
            var store = r.Store.Intentions;
            var json = new JsonObject();
            foreach (var name in names)
            {
                json[name] = IntentionJson.Intentions(by == "source" ? store.MatchSource(name) : store.MatchDestination(name));
            }

            return (store.Index, json);
        }).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w => result.WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task ByIdAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (r.Method == "GET")
        {
            await WriteOneAsync(r, store => store.ByLegacyId(id)).ConfigureAwait(false);
            return;
        }

        var body = r.Method == "PUT" ? await ReadIntentionAsync(r).ConfigureAwait(false) : default;
        if ((r.Method == "PUT" && body is null) || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        // The existing intention's destination must be writable; a missing one is the store's own error below.
        string? existingDestination;
        lock (r.Store.Sync)
        {
            existingDestination = r.Store.Intentions.ByLegacyId(id)?.DestinationName;
        }

        if (r.Method == "PUT" && existingDestination is null)
        {
            // Consul's legacy update looks the ID up before it checks ACLs or validates the body.
            await Responses.WriteErrorAsync(r.Context, 500, $"Cannot modify non-existent intention: '{id}'").ConfigureAwait(false);
            return;
        }

        if (existingDestination is not null && !await IntentionAcl.RequireAsync(r, IntentionAcl.CanWrite(authorizer, existingDestination)).ConfigureAwait(false))
        {
            return;
        }

        switch (r.Method)
        {
            case "PUT":

                var (_, sourceName, destinationName, source) = body!.Value;
                var error = LegacyUpdateRefusal(existingDestination!, destinationName)
                    ?? IntentionRequestReader.Validate(sourceName, destinationName, source, legacy: true)
                    ?? Write(r, (store, now, index) => store.LegacyUpdate(id, source, now, index));
                if (error is not null)
                {
                    await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
                    return;
                }

                Responses.WriteEmpty(r.Context);
                return;
            default:
                await AnswerWriteAsync(r, Write(r, (store, _, index) => store.LegacyDelete(id, index))).ConfigureAwait(false);
                return;
        }
    }

    /// <summary>
    /// Since intentions became config entries (Consul 1.9) a legacy update may change the source but not the
    /// destination: the intention would have to move to another entry. Names compare exactly, as Consul's
    /// <c>ServiceName</c> values do; CE has one namespace and partition, so the name is all that can differ.
    /// </summary>
    private static string? LegacyUpdateRefusal(string existingDestination, string destination) =>
        string.Equals(existingDestination, destination, StringComparison.Ordinal)
            ? null
            : "Cannot modify Destination partition/namespace/name for an intention once it exists.";

    /// <summary>Reads <c>?source=</c> and <c>?destination=</c>, or writes Consul's 500 for the first missing one and returns null.</summary>
    private static async Task<(string Source, string Destination)?> RequirePairAsync(AgentRequest r)
    {
        var source = r.Query.Get("source");
        var destination = r.Query.Get("destination");
        var missing = source.Length == 0 ? "source" : destination.Length == 0 ? "destination" : null;
        if (missing is null)
        {
            return (source, destination);
        }

        await Responses.WriteErrorAsync(r.Context, 500, $"required query parameter '{missing}' not set").ConfigureAwait(false);
        return null;
    }

    /// <summary>Answers one intention, 404 <c>Intention not found</c>, or 403 when the token may read neither end of it.</summary>
    private static async Task WriteOneAsync(AgentRequest r, Func<IntentionStore, Intention?> find)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        JsonObject? found;
        bool readable;
        lock (r.Store.Sync)
        {
            var intention = find(r.Store.Intentions);
            found = intention is null ? null : IntentionJson.Intention(intention);
            readable = intention is null || IntentionAcl.CanRead(authorizer, intention);
        }

        if (!await IntentionAcl.RequireAsync(r, readable).ConfigureAwait(false))
        {
            return;
        }

        await (found is null
            ? Responses.WriteErrorAsync(r.Context, 404, "Intention not found")
            : Responses.WriteJsonAsync(r, w => found.WriteTo(w))).ConfigureAwait(false);
    }

    private static IntentionSource WithName(IntentionSource source, string name)
    {
        source.Name = name;
        return source;
    }

    /// <summary>Reads an intention body, or writes Consul's 400 (or the Connect-disabled 500) and returns null.</summary>
    private static async Task<(string Id, string SourceName, string DestinationName, IntentionSource Source)?> ReadIntentionAsync(AgentRequest r)
    {
        try
        {
            var body = IntentionRequestReader.ReadIntention(await r.ReadBodyAsync().ConfigureAwait(false));
            return await ConnectCaEndpoints.RequireEnabledAsync(r).ConfigureAwait(false) ? body : null;
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>Runs a store write at a new index and publishes it; returns the refusal text, or null.</summary>
    private static string? Write(AgentRequest r, Action<IntentionStore, DateTimeOffset, ulong> write)
    {
        if (!r.Options.Connect.Enabled)
        {
            return ConnectCaEndpoints.ConnectDisabled;
        }

        lock (r.Store.Sync)
        {
            try
            {
                // Refused writes are not Raft writes: the index moves only once the write is done.
                write(r.Store.Intentions, r.Store.Time.GetUtcNow(), r.Store.Index + 1);
                r.Store.NextIndex();
            }
            catch (IntentionException ex)
            {
                return ex.Message;
            }

            r.Store.Changes.Publish();
        }

        return null;
    }

    private static Task AnswerWriteAsync(AgentRequest r, string? error) => error is null
        ? Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true))
        : Responses.WriteErrorAsync(r.Context, 500, error);
}
