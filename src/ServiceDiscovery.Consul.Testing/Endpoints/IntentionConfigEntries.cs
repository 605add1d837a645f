// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The <c>service-intentions</c> kind of <c>/v1/config</c>: entries are the intention store's, validated as Consul
/// validates them and read back with each source's computed precedence, so a write here is seen at once by
/// <c>/v1/connect/intentions</c> and by authorize, and a legacy write is seen here.
/// </summary>
internal static class IntentionConfigEntries
{
    public const string Kind = "service-intentions";

    /// <summary>Validates and stores the entry; the token needs <c>intention:write</c> on its name, checked after validation as Consul does.</summary>
    public static async Task ApplyAsync(AgentRequest r, Authorizer authorizer, string name, JsonObject entry, ulong? cas)
    {
        var parsed = IntentionRequestReader.ReadEntry(name, entry, out var error);
        if (parsed is null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error!).ConfigureAwait(false);
            return;
        }

        if (!await ConfigEntryAcl.RequireWriteAsync(r, authorizer, Kind, name).ConfigureAwait(false))
        {
            return;
        }

        bool applied;
        lock (r.Store.Sync)
        {
            var existing = r.Store.Intentions.Entry(name);
            applied = cas is null || (cas == 0 ? existing is null : existing?.ModifyIndex == cas);
            if (applied)
            {
                r.Store.Intentions.Put(parsed, r.Store.NextIndex());
                r.Store.Changes.Publish();
            }
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(applied)).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads one entry (404 when absent) or, with no name, the list without the entries the token may not read
    /// (<c>intention:read</c> on the destination); both block on the intentions' index.
    /// </summary>
    public static async Task GetAsync(AgentRequest r, BlockingQuery blocking, Authorizer authorizer, string? name)
    {
        var store = r.Store.Intentions;
        if (name is not null)
        {
            var one = await blocking.RunAsync(r, () => (store.Index, store.Entry(name) is { } e ? IntentionJson.Entry(e) : null)).ConfigureAwait(false);
            await (one is null
                ? Responses.WriteErrorAsync(r.Context, 404, $"Config entry not found for \"{Kind}\" / \"{name}\"")
                : Responses.WriteJsonAsync(r, w => one.WriteTo(w))).ConfigureAwait(false);
            return;
        }

        var (list, filtered) = await blocking.RunAsync(r, () =>
        {
            var all = store.Entries.ToList();
            var readable = all.Where(e => ConfigEntryAcl.CanRead(authorizer, Kind, e.Name)).Select(e => (JsonNode)IntentionJson.Entry(e)).ToList();
            return (store.Index, (new JsonArray([.. readable]), readable.Count < all.Count));
        }).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            list.WriteTo(w);
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    /// <summary>Deletes the entry (with <paramref name="cas"/>, only at that modify index). The caller holds the store's lock and answers.</summary>
    public static bool Delete(StateStore store, string name, ulong? cas)
    {
        var existing = store.Intentions.Entry(name);
        if (existing is null || (cas is not null && existing.ModifyIndex != cas))
        {
            return false;
        }

        store.Intentions.Delete(name, store.NextIndex());
        store.Changes.Publish();
        return true;
    }
}
