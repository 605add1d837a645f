// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary><c>/v1/kv/:key</c> (§11): GET (single, <c>recurse</c>, <c>keys</c>, <c>raw</c>, blocking), PUT and DELETE.</summary>
internal static class KvEndpoints
{
    /// <summary>Consul's <c>kv_max_value_size</c> default.</summary>
    public const int MaxValueSize = 512 * 1024;

    public static void Map(Router router) => router.Add("/v1/kv/", ["GET", "PUT", "DELETE"], HandleAsync);

    private static async Task HandleAsync(AgentRequest r)
    {
        // KVSEndpoint runs the shared query parsing (consistency, wait, index) before dispatching on the method.
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return;
        }

        switch (r.Method)
        {
            case "GET" when r.Query.Has("keys"):
                await KeysAsync(r, blocking).ConfigureAwait(false);
                break;
            case "GET":
                await GetAsync(r, blocking).ConfigureAwait(false);
                break;
            case "PUT":
                await PutAsync(r).ConfigureAwait(false);
                break;
            default:
                await DeleteAsync(r).ConfigureAwait(false);
                break;
        }
    }

    private static async Task GetAsync(AgentRequest r, BlockingQuery blocking)
    {
        var key = r.Parameter;
        var recurse = r.Query.Has("recurse");
        if (!recurse && key.Length == 0)
        {
            await MissingKeyAsync(r).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        if (!recurse && !await r.RequireAsync(authorizer, ConsulTestAclResource.Key, key, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var (entries, filtered) = await blocking.RunAsync(r, () =>
        {
            var store = r.Store;
            if (!recurse)
            {
                return (store.KvGetIndex(key), (store.KeyValues.TryGetValue(key, out var e) ? [e] : new List<KvEntry>(), false));
            }

            var all = store.KvList(key).ToList();
            var allowed = all.Where(e => authorizer.Allows(ConsulTestAclResource.Key, e.Key, ConsulTestAclAccess.Read)).ToList();
            return (store.KvListIndex(key), (allowed, allowed.Count != all.Count));
        }).ConfigureAwait(false);

        if (entries.Count == 0)
        {
            r.Response.StatusCode = 404;
            r.Response.ContentLength = 0;
            return;
        }

        if (r.Query.Has("raw"))
        {
            r.Response.Headers["X-Content-Type-Options"] = "nosniff";
            r.Response.Headers["Content-Security-Policy"] = "sandbox";
            await Responses.WriteTextAsync(r.Context, 200, string.Empty, "text/plain").ConfigureAwait(false);
            r.Response.ContentLength = entries[0].Value.Length;
            await r.Response.Body.WriteAsync(entries[0].Value, r.Aborted).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                ModelWriter.WriteKv(w, e);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task KeysAsync(AgentRequest r, BlockingQuery blocking)
    {
        var prefix = r.Parameter;
        var separator = r.Query.Has("separator") ? r.Query.Get("separator") : r.Query.Get("seperator");
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var (keys, filtered) = await blocking.RunAsync(r, () =>
        {
            var list = new List<string>();
            var cut = false;
            foreach (var entry in r.Store.KvList(prefix))
            {
                if (!authorizer.Allows(ConsulTestAclResource.Key, entry.Key, ConsulTestAclAccess.Read))
                {
                    cut = true;
                    continue;
                }

                var key = entry.Key;
                if (separator.Length > 0)
                {
                    var at = key.IndexOf(separator, prefix.Length, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        key = key[..(at + separator.Length)];
                    }
                }

                if (list.Count == 0 || list[^1] != key)
                {
                    list.Add(key);
                }
            }

            return (r.Store.KvListIndex(prefix), (list, cut));
        }).ConfigureAwait(false);

        if (keys.Count == 0 && prefix.Length > 0)
        {
            r.Response.StatusCode = 404;
            r.Response.ContentLength = 0;
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            ModelWriter.WriteStringArray(w, keys);
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task PutAsync(AgentRequest r)
    {
        var key = r.Parameter;
        if (key.Length == 0)
        {
            await MissingKeyAsync(r).ConfigureAwait(false);
            return;
        }

        if (await ConflictingFlagsAsync(r, "cas", "acquire", "release").ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        ulong? flags = null;
        ulong? cas = null;
        if (r.Query.Has("flags"))
        {
            if (await ParseUIntAsync(r, "flags").ConfigureAwait(false) is not { } f)
            {
                return;
            }

            flags = f;
        }

        if (r.Query.Has("cas"))
        {
            if (await ParseUIntAsync(r, "cas").ConfigureAwait(false) is not { } c)
            {
                return;
            }

            cas = c;
        }

        if (r.Context.Request.ContentLength is > MaxValueSize)
        {
            await Responses.WriteErrorAsync(r.Context, 413,
                $"Request body({r.Context.Request.ContentLength} bytes) too large, max size: {MaxValueSize} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.").ConfigureAwait(false);
            return;
        }

        if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Key, key, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        var value = await r.ReadBodyAsync().ConfigureAwait(false);
        bool ok;
        string? error = null;
        if (r.Query.Has("acquire"))
        {
            ok = r.Store.KvLock(key, value, flags, r.Query.Get("acquire"), out error);
        }
        else if (r.Query.Has("release"))
        {
            ok = r.Store.KvUnlock(key, value, flags, r.Query.Get("release"), out error);
        }
        else
        {
            ok = r.Store.KvPut(key, value, flags, cas);
        }

        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(ok)).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(AgentRequest r)
    {
        if (await ConflictingFlagsAsync(r, "recurse", "cas").ConfigureAwait(false))
        {
            return;
        }

        var key = r.Parameter;
        var recurse = r.Query.Has("recurse");
        if (!recurse && key.Length == 0)
        {
            await MissingKeyAsync(r).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Key, key, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        ulong? cas = null;
        if (r.Query.Has("cas"))
        {
            if (await ParseUIntAsync(r, "cas").ConfigureAwait(false) is not { } c)
            {
                return;
            }

            cas = c;
        }

        var ok = r.Store.KvDelete(key, recurse, cas);
        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(ok)).ConfigureAwait(false);
    }

    private static Task MissingKeyAsync(AgentRequest r) => Responses.WriteErrorAsync(r.Context, 400, "Missing key name");

    /// <summary>conflictingFlags: more than one of the flags → 400 with the query re-encoded (Go's <c>Values.Encode</c>, sorted).</summary>
    private static async Task<bool> ConflictingFlagsAsync(AgentRequest r, params string[] flags)
    {
        if (flags.Count(r.Query.Has) <= 1)
        {
            return false;
        }

        var encoded = new StringBuilder();
        foreach (var pair in r.Query.Raw.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=")
            .Order(StringComparer.Ordinal))
        {
            encoded.Append(encoded.Length > 0 ? "&" : string.Empty).Append(pair);
        }

        await Responses.WriteErrorAsync(r.Context, 400, $"Conflicting flags: {encoded}\n").ConfigureAwait(false);
        return true;
    }

    private static async Task<ulong?> ParseUIntAsync(AgentRequest r, string name)
    {
        var raw = r.Query.Get(name);
        if (ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        await Responses.WriteErrorAsync(r.Context, 500, $"strconv.ParseUint: parsing \"{raw}\": invalid syntax").ConfigureAwait(false);
        return null;
    }
}
