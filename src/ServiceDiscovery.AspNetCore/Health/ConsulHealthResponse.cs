// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// How the health endpoint answers Consul's HTTP check: 2xx is passing, 429 warning, anything else critical
/// (docs/consul-http-api.md §9). ASP.NET Core's default answers Degraded with 200, which Consul would show as passing.
/// </summary>
internal static class ConsulHealthResponse
{
    /// <summary>Healthy → 200, Degraded → 429 (Consul: warning), Unhealthy → 503 (Consul: critical).</summary>
    public static int StatusCode(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => StatusCodes.Status200OK,
        HealthStatus.Degraded => StatusCodes.Status429TooManyRequests,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>The Consul check status the app reports for a health status (TTL heartbeat).</summary>
    public static ConsulCheckStatus CheckStatus(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => ConsulCheckStatus.Passing,
        HealthStatus.Degraded => ConsulCheckStatus.Warning,
        _ => ConsulCheckStatus.Critical,
    };

    /// <summary>
    /// Options for the health-check middleware or endpoint: every app check except Consul connectivity. The body is the status word only: Consul stores it as the
    /// check's output, visible to anyone who can read the catalog, so no exception text or check data goes there.
    /// </summary>
    public static HealthCheckOptions CreateOptions() => new()
    {
        Predicate = ConsulConnectivityHealthCheck.IsAppCheck,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCode(HealthStatus.Healthy),
            [HealthStatus.Degraded] = StatusCode(HealthStatus.Degraded),
            [HealthStatus.Unhealthy] = StatusCode(HealthStatus.Unhealthy),
        },
        ResponseWriter = WriteStatusAsync,
        AllowCachingResponses = false,
    };

    private static Task WriteStatusAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(report.Status.ToString(), context.RequestAborted);
    }
}
