// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Connectivity (<c>/v1/status/*</c>). See docs/consul-http-api.md §13.</summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulStatusApi : IConsulApi
{
    /// <summary><c>GET /v1/status/leader</c>: <c>"host:port"</c>, or empty when there is no leader.</summary>
    Task<string> GetLeaderAsync(CancellationToken cancellationToken);
}
