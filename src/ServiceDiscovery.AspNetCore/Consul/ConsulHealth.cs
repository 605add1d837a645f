// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Consul's check statuses and its client-side aggregate (api/health.go <c>AggregatedStatus</c>, docs/consul-http-api.md §6).</summary>
internal static class ConsulHealth
{
    public const string Passing = "passing";
    public const string Warning = "warning";
    public const string Critical = "critical";
    public const string NodeMaintenanceCheckId = "_node_maintenance";
    public const string ServiceMaintenanceCheckIdPrefix = "_service_maintenance:";

    /// <summary>
    /// The worst status of <paramref name="checks"/>: maintenance &gt; critical &gt; warning &gt; passing; an empty
    /// list is passing. A status Consul does not define makes the aggregate unknown (<see langword="null"/>, Consul's
    /// <c>""</c>). Unlike Go, which returns at the first maintenance or unknown check, a maintenance check wins
    /// wherever it sits in the list, so the answer does not depend on Consul's unstable result order.
    /// </summary>
    public static ConsulHealthStatus? AggregatedStatus(IReadOnlyList<HealthCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        bool warning = false, critical = false, unknown = false;
        foreach (var check in checks)
        {
            if (IsMaintenance(check.CheckID))
            {
                return ConsulHealthStatus.Maintenance;
            }

            switch (Parse(check.Status))
            {
                case ConsulHealthStatus.Passing:
                    break;
                case ConsulHealthStatus.Warning:
                    warning = true;
                    break;
                case ConsulHealthStatus.Critical:
                    critical = true;
                    break;
                default:
                    unknown = true;
                    break;
            }
        }

        return unknown ? null : critical ? ConsulHealthStatus.Critical : warning ? ConsulHealthStatus.Warning : ConsulHealthStatus.Passing;
    }

    /// <summary>Whether a check id is Consul's node or service maintenance check (§3).</summary>
    public static bool IsMaintenance(string checkId)
        => string.Equals(checkId, NodeMaintenanceCheckId, StringComparison.Ordinal)
        || checkId.StartsWith(ServiceMaintenanceCheckIdPrefix, StringComparison.Ordinal);

    /// <summary>A wire status (<c>passing</c>/<c>warning</c>/<c>critical</c>, exact case as Consul compares) or <see langword="null"/>.</summary>
    public static ConsulHealthStatus? Parse(string? status) => status switch
    {
        Passing => ConsulHealthStatus.Passing,
        Warning => ConsulHealthStatus.Warning,
        Critical => ConsulHealthStatus.Critical,
        _ => null,
    };

    /// <summary>The wire form of a check status; maintenance is an aggregate, never a status a check can be set to.</summary>
    public static string ToWire(ConsulHealthStatus status) => status switch
    {
        ConsulHealthStatus.Passing => Passing,
        ConsulHealthStatus.Warning => Warning,
        ConsulHealthStatus.Critical => Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A check can only be set passing, warning or critical."),
    };
}
