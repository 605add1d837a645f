// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulKeyValueApi
{
    /// <inheritdoc />
    public async Task<QueryResult<KVPair?>> GetKeyAsync(string key, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (key.TrimStart('/').Length == 0)
        {
            throw new ArgumentException("A KV key must not be empty (Consul answers 400 Missing key name); use ListKeysAsync for the whole store.", nameof(key));
        }

        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(key), new ConsulQuery(), options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListKVPair, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Found && response.Value is [var pair, ..] ? pair : null);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<KVPair>>> ListKeysAsync(string prefix, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(prefix), new ConsulQuery().Flag("recurse"), options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListKVPair, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<KVPair>>(response.Found ? response.Value! : []);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<string>>> GetKeyNamesAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var query = new ConsulQuery().Flag("keys").Add("separator", NullIfEmpty(separator));
        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(prefix), query, options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListString, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<string>>(response.Found ? response.Value! : []);
    }

    /// <inheritdoc />
    public Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas, ulong? flags, CancellationToken cancellationToken)
        => PutKeyAsync(key, value, DatacenterQuery().Add("cas", Number(cas)).Add("flags", Number(flags)), cancellationToken);

    /// <inheritdoc />
    public Task<bool> AcquireKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return PutKeyAsync(key, value, DatacenterQuery().Add("acquire", sessionId), cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> ReleaseKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        return PutKeyAsync(key, value, DatacenterQuery().Add("release", sessionId), cancellationToken);
    }

    private async Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ConsulQuery query, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = "v1/kv/" + ConsulPath.Key(key);
        var content = new ReadOnlyMemoryContent(value);
        content.Headers.ContentType = OctetStreamMediaType;
        var call = new ConsulCall(HttpMethod.Put, "/v1/kv/{key}", "/" + path, query.Apply(path)) { Content = content };
        var response = await SendAsync(call, ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteKeyAsync(string key, bool recurse, ulong? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!recurse && key.TrimStart('/').Length == 0)
        {
            throw new ArgumentException("A KV key must not be empty unless recurse is set.", nameof(key));
        }

        var path = "v1/kv/" + ConsulPath.Key(key);
        var query = new ConsulQuery().Add("dc", NullIfEmpty(_options.CurrentValue.Datacenter)).Flag("recurse", recurse).Add("cas", Number(cas));
        var call = new ConsulCall(HttpMethod.Delete, "/v1/kv/{key}", "/" + path, query.Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }
}
