// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CatalogGrpc.Api;

/// <summary>The app's own health, which the gRPC health service (and so Consul's gRPC check) reports. Tests flip it.</summary>
public sealed class ServingState
{
    private volatile HealthStatus _status = HealthStatus.Healthy;

    public HealthStatus Current { get => _status; set => _status = value; }
}

/// <summary>Reports <see cref="ServingState"/> as an ASP.NET Core health check.</summary>
internal sealed class ServingStateCheck(ServingState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(new HealthCheckResult(state.Current, $"The catalog is {state.Current}."));
}
