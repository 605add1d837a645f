// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>The agent's own endpoints (<c>/v1/agent/*</c>): this process's service registration, its checks and maintenance mode. See docs/consul-http-api.md §1–§5.</summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulAgentApi : IConsulApi
{
    /// <summary><c>PUT /v1/agent/service/register[?replace-existing-checks=true]</c>.</summary>
    Task RegisterServiceAsync(AgentServiceRegistration registration, bool replaceExistingChecks, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/agent/service/deregister/{id}</c>. Returns <see langword="false"/> when the agent answered 404 (unknown id).</summary>
    Task<bool> DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/agent/service/{id}</c>. Returns <see langword="null"/> on 404.</summary>
    Task<AgentService?> GetAgentServiceAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /v1/agent/service/{id}?hash=&amp;wait=</c>: a hash-based blocking query (docs/consul-http-api.md §8). With
    /// <paramref name="hash"/> (the last <see cref="AgentService.ContentHash"/>) the agent answers when the service
    /// changes, or after <paramref name="wait"/>; without it at once. Returns <see langword="null"/> on 404, which is also
    /// how an agent that restarted empty answers a blocked watcher.
    /// </summary>
    Task<AgentService?> WatchAgentServiceAsync(string serviceId, string? hash, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/agent/service/maintenance/{id}?enable=true|false[&amp;reason=]</c>.</summary>
    Task SetServiceMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// TTL update. <c>PUT /v1/agent/check/update/{checkId}</c> with <c>{"Status","Output"}</c>.
    /// Consul answers 404 for an unknown check id (the agent forgot us: register again).
    /// </summary>
    Task UpdateTtlAsync(string checkId, ConsulCheckStatus status, string? output, CancellationToken cancellationToken);

}
