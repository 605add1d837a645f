// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class ServiceWatch
{
    // Discovery owns event ids 3000-3099. One line per state change: a retry that fails the same way logs nothing.
    private static partial class Log
    {
        [LoggerMessage(3001, LogLevel.Debug, "Watching Consul service '{ServiceName}'.", EventName = "DiscoveryWatchStarted")]
        public static partial void WatchStarted(ILogger logger, string serviceName);

        [LoggerMessage(3002, LogLevel.Debug, "Stopped watching Consul service '{ServiceName}'.", EventName = "DiscoveryWatchStopped")]
        public static partial void WatchStopped(ILogger logger, string serviceName);

        [LoggerMessage(3004, LogLevel.Debug, "Consul service '{ServiceName}' now has {InstanceCount} available instance(s) (index {ConsulIndex}).", EventName = "DiscoveryInstancesChanged")]
        public static partial void InstancesChanged(ILogger logger, string serviceName, int instanceCount, ulong consulIndex);

        [LoggerMessage(3005, LogLevel.Warning, "Fetching Consul service '{ServiceName}' from {ConsulAddress} failed ({ErrorType}); lookups fail until it succeeds, retrying in the background.", EventName = "DiscoveryFirstFetchFailed")]
        public static partial void FirstFetchFailed(ILogger logger, string serviceName, Uri consulAddress, string errorType, Exception exception);

        [LoggerMessage(3006, LogLevel.Warning, "Watching Consul service '{ServiceName}' at {ConsulAddress} failed ({ErrorType}); serving the last-known-good {InstanceCount} instance(s) as stale, retrying in the background.", EventName = "DiscoveryWatchFailed")]
        public static partial void WatchFailed(ILogger logger, string serviceName, Uri consulAddress, string errorType, int instanceCount, Exception exception);

        [LoggerMessage(3060, LogLevel.Warning, "Consul left out instances of '{ServiceName}' that the ACL token may not read (X-Consul-Results-Filtered-By-ACLs); discovery sees only the rest. The token needs service:read on '{ServiceName}' and node:read on the nodes its instances run on.", EventName = "DiscoveryResultsFilteredByAcls")]
        public static partial void ResultsFilteredByAcls(ILogger logger, string serviceName);

        [LoggerMessage(3007, LogLevel.Information, "Watching Consul service '{ServiceName}' recovered after {FailureCount} failed attempt(s).", EventName = "DiscoveryWatchRecovered")]
        public static partial void WatchRecovered(ILogger logger, string serviceName, int failureCount);

        [LoggerMessage(3050, LogLevel.Warning, "No instance of Consul service '{ServiceName}' passes in the local datacenter; serving its {InstanceCount} instance(s) in datacenter '{Datacenter}' until one passes locally again.", EventName = "DiscoveryFailoverStarted")]
        public static partial void FailedOver(ILogger logger, string serviceName, string datacenter, int instanceCount);

        [LoggerMessage(3051, LogLevel.Warning, "Consul service '{ServiceName}' is now served from datacenter '{Datacenter}' ({InstanceCount} instance(s)) instead of '{PreviousDatacenter}'.", EventName = "DiscoveryFailoverMoved")]
        public static partial void FailoverMoved(ILogger logger, string serviceName, string datacenter, string previousDatacenter, int instanceCount);

        [LoggerMessage(3052, LogLevel.Information, "Consul service '{ServiceName}' has a passing instance in the local datacenter again; serving its {InstanceCount} local instance(s) instead of datacenter '{Datacenter}'.", EventName = "DiscoveryFailoverReturned")]
        public static partial void FailoverReturned(ILogger logger, string serviceName, int instanceCount, string datacenter);
    }
}
