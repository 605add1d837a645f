// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// Runs the app's ASP.NET Core health checks, the same ones the health endpoint runs, for the TTL heartbeat: the app
/// reports its real state, never a blind "pass".
/// </summary>
internal sealed class ApplicationHealthProbe(HealthCheckService healthChecks)
{
    public async Task<(ConsulCheckStatus Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var report = await healthChecks.CheckHealthAsync(ConsulConnectivityHealthCheck.IsAppCheck, cancellationToken).ConfigureAwait(false);

        // Status only: the output is readable by anyone with catalog access (see ConsulHealthResponse).
        return (ConsulHealthResponse.CheckStatus(report.Status), report.Status.ToString());
    }
}
