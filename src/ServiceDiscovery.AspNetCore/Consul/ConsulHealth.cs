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
    public static ConsulCheckStatus? AggregatedStatus(IReadOnlyList<HealthCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        bool warning = false, critical = false, unknown = false;
        foreach (var check in checks)
        {
            if (IsMaintenance(check.CheckID))
            {
                return ConsulCheckStatus.Maintenance;
            }

            switch (Parse(check.Status))
            {
                case ConsulCheckStatus.Passing:
                    break;
                case ConsulCheckStatus.Warning:
                    warning = true;
                    break;
                case ConsulCheckStatus.Critical:
                    critical = true;
                    break;
                default:
                    unknown = true;
                    break;
            }
        }

        return unknown ? null : critical ? ConsulCheckStatus.Critical : warning ? ConsulCheckStatus.Warning : ConsulCheckStatus.Passing;
    }

    /// <summary>Whether a check id is Consul's node or service maintenance check (§3).</summary>
    public static bool IsMaintenance(string checkId)
        => string.Equals(checkId, NodeMaintenanceCheckId, StringComparison.Ordinal)
        || checkId.StartsWith(ServiceMaintenanceCheckIdPrefix, StringComparison.Ordinal);

    /// <summary>A wire status (<c>passing</c>/<c>warning</c>/<c>critical</c>, exact case as Consul compares) or <see langword="null"/>.</summary>
    public static ConsulCheckStatus? Parse(string? status) => status switch
    {
        Passing => ConsulCheckStatus.Passing,
        Warning => ConsulCheckStatus.Warning,
        Critical => ConsulCheckStatus.Critical,
        _ => null,
    };

    /// <summary>The wire form of a check status; maintenance is an aggregate, never a status a check can be set to.</summary>
    public static string ToWire(ConsulCheckStatus status) => status switch
    {
        ConsulCheckStatus.Passing => Passing,
        ConsulCheckStatus.Warning => Warning,
        ConsulCheckStatus.Critical => Critical,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A check can only be set passing, warning or critical."),
    };
}
