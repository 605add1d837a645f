// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// Whether the Consul agent answers and its cluster has a leader (<c>GET /v1/status/leader</c>: no ACL needed). For
/// operators' dashboards and readiness, never for the endpoint Consul itself checks: a Consul outage must not mark
/// every instance critical, so the health endpoint and the TTL heartbeat leave out checks tagged
/// <see cref="Tag"/>.
/// </summary>
internal sealed class ConsulConnectivityHealthCheck(IConsulStatusApi client) : IHealthCheck
{
    /// <summary>Marks the check so the Consul health endpoint and heartbeat leave it out.</summary>
    public const string Tag = "consul-connectivity";

    /// <summary>Runs every health check except the Consul connectivity one: what Consul is told about the app.</summary>
    public static bool IsAppCheck(HealthCheckRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return !registration.Tags.Contains(Tag);
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        try
        {
            var leader = await client.GetLeaderAsync(cancellationToken).ConfigureAwait(false);
            return leader.Length > 0
                ? HealthCheckResult.Healthy($"The Consul agent at {client.Address} answers; the cluster leader is {leader}.")
                : HealthCheckResult.Degraded($"The Consul agent at {client.Address} answers but its cluster has no leader: writes fail and reads may be stale.");
        }
        catch (ConsulException ex)
        {
            // The exception message never carries the token (client contract).
            return new HealthCheckResult(context.Registration.FailureStatus, $"The Consul agent at {client.Address} cannot be used: {ex.Message}", ex);
        }
    }
}
