// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>PUT /v1/txn</c> (agent/txn_endpoint.go): at most 128 operations in a body of at most <c>txn_max_req_len</c>;
/// a transaction without writes is served as a read (X-Consul-LastContact and X-Consul-KnownLeader, no index, the
/// QueryMeta fields in the body), otherwise it is applied at one index. 200 when it committed, 409 with the errors
/// when it was rolled back. Only KV operations run; Node, Service and Check operations fail the transaction.
/// </summary>
internal static class TxnEndpoint
{
    /// <summary>maxTxnOps of current Consul (64 before 1.7).</summary>
    public const int MaxOperations = 128;

    /// <summary><c>txn_max_req_len</c> default, which <c>kv_max_value_size</c> raises when larger.</summary>
    public const int MaxRequestLength = KvEndpoints.MaxValueSize;

    private const string ConfigLink = "https://www.consul.io/docs/agent/config/config-files#txn_max_req_len";

    public static void Map(Router router) => router.Add("/v1/txn", ["PUT"], HandleAsync);

    private static async Task HandleAsync(AgentRequest r)
    {
        if (await ReadOperationsAsync(r).ConfigureAwait(false) is not { } ops)
        {
            return;
        }

        var readOnly = !ops.Any(op => op.IsWrite);
        if (readOnly && await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var outcome = r.Store.Txn(ops, (_, op) => Denied(authorizer, op));
        if (readOnly)
        {
            r.Response.Headers["X-Consul-LastContact"] = "0";
            r.Response.Headers["X-Consul-KnownLeader"] = "true";
        }

        var results = outcome.Results?.Where(e => authorizer.Allows(ConsulTestAclResource.Key, e.Key, ConsulTestAclAccess.Read)).ToList();
        await Responses.WriteJsonAsync(r, w => Write(w, results, outcome.Errors, readOnly), outcome.Errors is null ? 200 : 409).ConfigureAwait(false);
    }

    /// <summary>convertOps: the size limits (413), the body (400 <c>Failed to parse body</c>), the operation and value limits (413).</summary>
    private static async Task<List<TxnKvOperation>?> ReadOperationsAsync(AgentRequest r)
    {
        if (r.Context.Request.ContentLength is { } length && length > MaxRequestLength)
        {
            await Responses.WriteErrorAsync(r.Context, 413,
                $"Request body({length} bytes) too large, max size: {MaxRequestLength} bytes. See {ConfigLink}.").ConfigureAwait(false);
            return null;
        }

        // A body sent without Content-Length is cut at the limit as http.MaxBytesReader does.
        var body = new byte[MaxRequestLength + 1];
        var read = 0;
        int n;
        while (read < body.Length && (n = await r.Context.Request.Body.ReadAsync(body.AsMemory(read), r.Aborted).ConfigureAwait(false)) > 0)
        {
            read += n;
        }

        if (read > MaxRequestLength)
        {
            await Responses.WriteErrorAsync(r.Context, 413, $"Request body too large, max size: {MaxRequestLength} bytes. See {ConfigLink}.").ConfigureAwait(false);
            return null;
        }

        List<TxnKvOperation> ops;
        try
        {
            ops = TxnRequestReader.Read(body.AsMemory(0, read));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Failed to parse body: {ex.Message}").ConfigureAwait(false);
            return null;
        }

        string? tooLarge = ops.Count > MaxOperations
            ? $"Transaction contains too many operations ({ops.Count} > {MaxOperations})"
            : ops.FirstOrDefault(op => op.Value?.Length > KvEndpoints.MaxValueSize) is { } big
                ? $"Value for key \"{big.Key}\" is too large ({big.Value!.Length} > {KvEndpoints.MaxValueSize} bytes)"
                : null;
        if (tooLarge is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 413, tooLarge).ConfigureAwait(false);
            return null;
        }

        return ops;
    }

    /// <summary>kvsPreApply's ACLs: delete-tree needs write on the prefix, check-index and check-session read, gets nothing (filtered after).</summary>
    private static string? Denied(Authorizer authorizer, TxnKvOperation op)
    {
        if (op.Unsupported is not null || op.Verb is "get" or "get-tree" or "get-or-empty")
        {
            return null;
        }

        var level = op.Verb is "check-index" or "check-session" ? ConsulTestAclAccess.Read : ConsulTestAclAccess.Write;
        return authorizer.Allows(ConsulTestAclResource.Key, op.Key, level) ? null : authorizer.DeniedMessage(ConsulTestAclResource.Key, op.Key, level);
    }

    private static void Write(Utf8JsonWriter w, List<KvEntry>? results, IReadOnlyList<TxnError>? errors, bool readOnly)
    {
        w.WriteStartObject();
        w.WritePropertyName("Results");
        if (results is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStartArray();
            foreach (var entry in results)
            {
                w.WriteStartObject();
                w.WritePropertyName("KV");
                ModelWriter.WriteKv(w, entry);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WritePropertyName("Errors");
        if (errors is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteStartArray();
            foreach (var error in errors)
            {
                w.WriteStartObject();
                w.WriteNumber("OpIndex", error.OpIndex);
                w.WriteString("What", error.What);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (readOnly)
        {
            // TxnReadResponse embeds QueryMeta; Txn.Read sets only LastContact and KnownLeader.
            w.WriteNumber("Index", 0);
            w.WriteNumber("LastContact", 0);
            w.WriteBoolean("KnownLeader", true);
            w.WriteString("ConsistencyLevel", string.Empty);
            w.WriteBoolean("NotModified", false);
            w.WriteNumber("Backend", 0);
            w.WriteBoolean("ResultsFilteredByACLs", false);
        }

        w.WriteEndObject();
    }
}
