// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>Consul's client-side <c>AggregatedStatus</c> (docs/consul-http-api.md §6): the worst status of an instance's checks.</summary>
internal static class HealthAggregation
{
    private const string NodeMaintenanceCheckId = "_node_maintenance";
    private const string ServiceMaintenanceCheckPrefix = "_service_maintenance:";

    /// <summary>
    /// Maintenance beats critical beats warning beats passing; no checks at all is passing. Returns
    /// <see langword="null"/> for a status Consul does not define, as Consul's helper returns "" (never treated as healthy).
    /// </summary>
    public static ConsulCheckStatus? Aggregate(IReadOnlyList<HealthCheck> checks)
    {
        bool warning = false, critical = false, maintenance = false;
        foreach (var check in checks)
        {
            if (string.Equals(check.CheckID, NodeMaintenanceCheckId, StringComparison.Ordinal)
                || check.CheckID.StartsWith(ServiceMaintenanceCheckPrefix, StringComparison.Ordinal))
            {
                maintenance = true;
                continue;
            }

            switch (check.Status)
            {
                case "passing":
                    break;
                case "warning":
                    warning = true;
                    break;
                case "critical":
                    critical = true;
                    break;
                default:
                    return null;
            }
        }

        return maintenance ? ConsulCheckStatus.Maintenance
            : critical ? ConsulCheckStatus.Critical
            : warning ? ConsulCheckStatus.Warning
            : ConsulCheckStatus.Passing;
    }
}
