// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Sessions (<c>/v1/session/*</c>), the basis of KV locks. See docs/consul-http-api.md §19.</summary>
/// <remarks>Errors as in <see cref="IConsulKeyValueApi"/>: <see cref="ConsulException"/> for non-200 answers and transport failures.</remarks>
internal interface IConsulSessionApi : IConsulApi
{
    /// <summary><c>PUT /v1/session/create</c>. Returns the new session's ID.</summary>
    Task<string> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/session/renew/{id}</c>. Returns <see langword="null"/> when Consul no longer knows the session (404): it was invalidated.</summary>
    Task<SessionInfo?> RenewSessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/session/destroy/{id}</c>. Destroying an unknown session is not an error.</summary>
    Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/session/info/{id}</c>. <see cref="QueryResult{T}.Value"/> is <see langword="null"/> for an unknown session.</summary>
    Task<QueryResult<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions options, CancellationToken cancellationToken);
}
