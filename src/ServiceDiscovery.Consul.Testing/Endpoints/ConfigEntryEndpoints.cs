// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>PUT /v1/config</c>, <c>GET /v1/config/:kind[/:name]</c>, <c>DELETE /v1/config/:kind/:name</c>
/// (agent/config_endpoint.go). Keys are decoded as Consul decodes them (<see cref="ConfigEntryKeys"/>: aliases and
/// case folded to the field names, unknown keys refused with a 400); entries of every CE kind are otherwise kept as
/// sent (not normalised or validated beyond the kind, <c>proxy-defaults</c>' name <c>global</c> and a non-empty name)
/// with Kind, Name, CreateIndex and ModifyIndex; <c>?cas</c> on writes and deletes; blocking reads. The kinds the agent acts on are the exceptions:
/// <c>service-intentions</c> (<see cref="IntentionConfigEntries"/>) and the gateway kinds
/// (<see cref="GatewayConfigEntries"/>) are validated as Consul validates them, and their ACLs enforced
/// (<see cref="ConfigEntryAcl"/>).
/// </summary>
internal static class ConfigEntryEndpoints
{
    private static readonly HashSet<string> Kinds = new(StringComparer.Ordinal)
    {
        "service-defaults", "proxy-defaults", "service-router", "service-splitter", "service-resolver", "ingress-gateway",
        "terminating-gateway", "service-intentions", "mesh", "exported-services", "sameness-group", "api-gateway",
        "bound-api-gateway", "inline-certificate", "file-system-certificate", "http-route", "tcp-route", "jwt-provider",
    };

    private const string MeshKind = "mesh";

    public static void Map(Router router)
    {
        router.Add("/v1/config", ["PUT"], ApplyAsync);
        router.Add("/v1/config/", ["GET", "DELETE"], r => r.Method == "GET" ? GetAsync(r) : DeleteAsync(r));
    }

    private static async Task ApplyAsync(AgentRequest r)
    {
        JsonObject entry;
        try
        {
            entry = JsonNode.Parse(await r.ReadBodyAsync().ConfigureAwait(false)) as JsonObject
                ?? throw new JsonException("json: cannot unmarshal into Go value of type map[string]interface {}");
        }
        catch (JsonException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decoding failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        var kind = Take(entry, "Kind");
        var error = kind is null ? "Payload does not contain a kind/Kind key at the top level"
            : !Kinds.Contains(kind) ? $"invalid config entry kind: {kind}"
            : ConfigEntryKeys.Canonicalize(kind, entry);

        // The mesh entry has no Name field (a "Name" key is refused above): its name is always "mesh". ProxyConfigEntry's
        // Normalize names an unnamed proxy-defaults entry "global" (and refuses any other name below).
        var name = kind == MeshKind ? MeshKind : Take(entry, "Name");
        name = kind == "proxy-defaults" && string.IsNullOrEmpty(name) ? "global" : name;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decoding failed: {error}").ConfigureAwait(false);
            return;
        }

        if (!TryCas(r, out var cas, out var casError))
        {
            await Responses.WriteErrorAsync(r.Context, 500, casError).ConfigureAwait(false);
            return;
        }

        error = kind == "proxy-defaults" && name != "global" ? $"invalid name (\"{name}\"), only \"global\" is supported"
            : string.IsNullOrEmpty(name) ? "Name is required"
            : null;
        if (error is not null || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            if (error is not null)
            {
                await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            }

            return;
        }

        if (kind == IntentionConfigEntries.Kind)
        {
            await IntentionConfigEntries.ApplyAsync(r, authorizer, name!, entry, cas).ConfigureAwait(false);
            return;
        }

        error = GatewayConfigEntries.IsGateway(kind!) ? GatewayConfigEntries.NormalizeAndValidate(kind!, entry) : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        if (!await ConfigEntryAcl.RequireWriteAsync(r, authorizer, kind!, name!).ConfigureAwait(false))
        {
            return;
        }

        bool applied;
        lock (r.Store.Sync)
        {
            var table = ConfigEntryTable.For(r.Store);
            var key = (kind!, name!);
            var existing = table.Entries.GetValueOrDefault(key);
            error = kind == GatewayConfigEntries.IngressKind ? GatewayConfigEntries.ProtocolMismatch(table, entry) : null;
            applied = error is null && (cas is null || (cas == 0 ? existing is null : existing is not null && (ulong)existing["ModifyIndex"]! == cas));
            if (applied)
            {
                var index = r.Store.NextIndex();
                var stored = kind == MeshKind ? new JsonObject { ["Kind"] = kind } : new JsonObject { ["Kind"] = kind, ["Name"] = name };
                foreach (var (field, value) in entry)
                {
                    stored[field] = value?.DeepClone();
                }

                stored["CreateIndex"] = existing is null ? index : (ulong)existing["CreateIndex"]!;
                stored["ModifyIndex"] = index;
                if (GatewayConfigEntries.IsGateway(kind!)
                    && (existing is null || GatewayConfigEntries.ServicesOf(kind!, existing) != GatewayConfigEntries.ServicesOf(kind!, stored)))
                {
                    table.GatewayServicesIndexes[key] = index;
                }

                table.Entries[key] = stored;
                table.Index = index;
                r.Store.Changes.Publish();
            }
        }

        await (error is not null
            ? Responses.WriteErrorAsync(r.Context, 500, error)
            : Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(applied))).ConfigureAwait(false);
    }

    private static async Task GetAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || !await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var parts = r.Parameter.Split('/', 2);
        var kind = parts[0];
        if (!Kinds.Contains(kind))
        {
            await Responses.WriteErrorAsync(r.Context, 500, $"invalid config entry kind: {kind}").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || (parts.Length == 2 && !await ConfigEntryAcl.RequireReadAsync(r, authorizer, kind, parts[1]).ConfigureAwait(false)))
        {
            return;
        }

        if (kind == IntentionConfigEntries.Kind)
        {
            await IntentionConfigEntries.GetAsync(r, blocking, authorizer, parts.Length == 2 ? parts[1] : null).ConfigureAwait(false);
            return;
        }

        var table = ConfigEntryTable.For(r.Store);
        if (parts.Length == 2)
        {
            var one = await blocking.RunAsync(r, () => (table.Index, table.Entries.GetValueOrDefault((kind, parts[1]))?.DeepClone())).ConfigureAwait(false);
            if (one is null)
            {
                await Responses.WriteErrorAsync(r.Context, 404, $"Config entry not found for \"{kind}\" / \"{parts[1]}\"").ConfigureAwait(false);
                return;
            }

            await Responses.WriteJsonAsync(r, w => one.WriteTo(w)).ConfigureAwait(false);
            return;
        }

        var (list, filtered) = await blocking.RunAsync(r, () =>
        {
            var ofKind = table.Entries.Where(e => e.Key.Kind == kind).OrderBy(e => e.Key.Name, StringComparer.Ordinal).ToList();
            var readable = ofKind.Where(e => ConfigEntryAcl.CanRead(authorizer, kind, e.Key.Name)).Select(e => e.Value.DeepClone()).ToList();
            return (table.Index, (readable, readable.Count < ofKind.Count));
        }).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            new JsonArray([.. list]).WriteTo(w);
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(AgentRequest r)
    {
        var parts = r.Parameter.Split('/', 2);
        if (parts.Length != 2)
        {
            await Responses.WriteErrorAsync(r.Context, 404, "Must provide both a kind and name to delete").ConfigureAwait(false);
            return;
        }

        if (!Kinds.Contains(parts[0]))
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"invalid config entry kind: {parts[0]}").ConfigureAwait(false);
            return;
        }

        if (!TryCas(r, out var cas, out var casError))
        {
            await Responses.WriteErrorAsync(r.Context, 500, casError).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await ConfigEntryAcl.RequireWriteAsync(r, authorizer, parts[0], parts[1]).ConfigureAwait(false))
        {
            return;
        }

        bool deleted;
        lock (r.Store.Sync)
        {
            var table = ConfigEntryTable.For(r.Store);
            var existing = table.Entries.GetValueOrDefault((parts[0], parts[1]));
            deleted = parts[0] == IntentionConfigEntries.Kind
                ? IntentionConfigEntries.Delete(r.Store, parts[1], cas)
                : existing is not null && (cas is null || (ulong)existing["ModifyIndex"]! == cas);
            if (deleted && parts[0] != IntentionConfigEntries.Kind)
            {
                table.Entries.Remove((parts[0], parts[1]));
                table.GatewayServicesIndexes.Remove((parts[0], parts[1]));
                table.Index = r.Store.NextIndex();
                r.Store.Changes.Publish();
            }
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            if (cas is null)
            {
                w.WriteStartObject();
                w.WriteEndObject();
            }
            else
            {
                w.WriteBooleanValue(deleted);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Removes <paramref name="field"/> (or its lower-case form) from the entry and returns its string value.</summary>
    private static string? Take(JsonObject entry, string field)
    {
        foreach (var key in new[] { field, field.ToLowerInvariant() })
        {
            if (entry.TryGetPropertyValue(key, out var value))
            {
                entry.Remove(key);
                return value?.GetValueKind() == JsonValueKind.String ? (string?)value : value?.ToJsonString();
            }
        }

        return null;
    }

    private static bool TryCas(AgentRequest r, out ulong? cas, out string error)
    {
        cas = null;
        error = string.Empty;
        var raw = r.Query.Get("cas");
        if (raw.Length == 0)
        {
            return true;
        }

        if (!ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            error = $"strconv.ParseUint: parsing \"{raw}\": invalid syntax";
            return false;
        }

        cas = value;
        return true;
    }
}
