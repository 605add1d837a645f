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

        [LoggerMessage(9104, LogLevel.Warning, "Check '{CheckId}' has interval {Interval} below the minimum of 1s; using 1s.", EventName = "CheckIntervalClamped")]
        public static partial void IntervalClamped(ILogger logger, string checkId, TimeSpan interval);

        [LoggerMessage(9105, LogLevel.Debug, "Check '{CheckId}' went from {OldStatus} to {NewStatus}.", EventName = "CheckStatusChanged")]
        public static partial void CheckStatusChanged(ILogger logger, string checkId, string oldStatus, string newStatus);
    }
}
