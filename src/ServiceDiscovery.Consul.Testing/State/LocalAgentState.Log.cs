// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

internal sealed partial class LocalAgentState
{
    private static partial class Log
    {
        [LoggerMessage(9100, LogLevel.Information, "Registered service '{ServiceId}' ({ServiceName}) at index {Index}.", EventName = "ServiceRegistered")]
        public static partial void ServiceRegistered(ILogger logger, string serviceId, string serviceName, ulong index);

        [LoggerMessage(9101, LogLevel.Information, "Deregistered service '{ServiceId}' at index {Index}.", EventName = "ServiceDeregistered")]
        public static partial void ServiceDeregistered(ILogger logger, string serviceId, ulong index);

        [LoggerMessage(9102, LogLevel.Information, "Maintenance mode for service '{ServiceId}' is now {Enabled}.", EventName = "MaintenanceChanged")]
        public static partial void MaintenanceChanged(ILogger logger, string serviceId, bool enabled);

        // Consul's own texts and key=value pairs, as hclog prints them, so a monitor shows the line Consul would.
        [LoggerMessage(9104, LogLevel.Warning, "check has interval below minimum: check={CheckId} minimum_interval={MinimumInterval}", EventName = "CheckIntervalClamped")]
        public static partial void IntervalClamped(ILogger logger, string checkId, string minimumInterval);

        [LoggerMessage(9106, LogLevel.Warning, "check has deregister interval below minimum: check={CheckId} minimum_interval={MinimumInterval}", EventName = "CheckDeregisterAfterRaised")]
        public static partial void DeregisterAfterRaised(ILogger logger, string checkId, string minimumInterval);

        [LoggerMessage(9105, LogLevel.Debug, "Check '{CheckId}' went from {OldStatus} to {NewStatus}.", EventName = "CheckStatusChanged")]
        public static partial void CheckStatusChanged(ILogger logger, string checkId, string oldStatus, string newStatus);
    }
}
