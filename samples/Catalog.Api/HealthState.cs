// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Catalog.Api;

/// <summary>The health this instance reports, set through <c>PUT /health-state/{healthy|degraded|unhealthy}</c>.</summary>
internal sealed class HealthState
{
    private volatile int _current = (int)HealthStatus.Healthy;

    public HealthStatus Current => (HealthStatus)_current;

    public bool TrySet(string state)
    {
        HealthStatus? status = state.ToUpperInvariant() switch
        {
            "HEALTHY" => HealthStatus.Healthy,
            "DEGRADED" => HealthStatus.Degraded,
            "UNHEALTHY" => HealthStatus.Unhealthy,
            _ => null,
        };
        if (status is not { } value)
        {
            return false;
        }

        _current = (int)value;
        return true;
    }
}

/// <summary>Reports <see cref="HealthState"/> as an ASP.NET Core health check, which <c>/health</c> runs for Consul.</summary>
internal sealed class HealthStateCheck(HealthState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(new HealthCheckResult(state.Current, $"Set to {state.Current} through PUT /health-state."));
}
