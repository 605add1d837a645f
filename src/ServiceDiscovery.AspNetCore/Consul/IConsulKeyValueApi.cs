// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>The key/value store (<c>/v1/kv/*</c>). See docs/consul-http-api.md §11.</summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulKeyValueApi : IConsulApi
{
    /// <summary><c>GET /v1/kv/{key}</c>. <see cref="QueryResult{T}.Value"/> is <see langword="null"/> on 404 (index headers still read).</summary>
    Task<QueryResult<KVPair?>> GetKeyAsync(string key, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/kv/{prefix}?recurse</c>. An absent prefix gives an empty list.</summary>
    Task<QueryResult<IReadOnlyList<KVPair>>> ListKeysAsync(string prefix, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/kv/{prefix}?keys[&amp;separator=]</c>. An absent prefix gives an empty list.</summary>
    Task<QueryResult<IReadOnlyList<string>>> GetKeyNamesAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/kv/{key}[?cas=][&amp;flags=]</c>: the raw body. Returns Consul's <c>true</c>/<c>false</c> (false: CAS lost).</summary>
    Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas, ulong? flags, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/kv/{key}[?recurse][&amp;cas=]</c>. Returns Consul's <c>true</c>/<c>false</c>.</summary>
    Task<bool> DeleteKeyAsync(string key, bool recurse, ulong? cas, CancellationToken cancellationToken);

    /// <summary>
    /// <c>PUT /v1/kv/{key}?acquire={session}</c>: takes the key's lock for the session and writes the value. Returns
    /// <see langword="false"/> when another session holds it or the key is in its lock-delay (docs/consul-http-api.md §19).
    /// </summary>
    Task<bool> AcquireKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/kv/{key}?release={session}</c>: gives the lock up (no lock-delay follows) and writes the value.</summary>
    Task<bool> ReleaseKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken);
}
