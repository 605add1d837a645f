// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class RemoteDatacenterWatch
{
    // Discovery owns event ids 3000-3099; failover uses 3050-3059.
    private static partial class Log
    {
        [LoggerMessage(3054, LogLevel.Warning, "Watching Consul service '{ServiceName}' in failover datacenter '{Datacenter}' failed ({ErrorType}); its last answer, if any, is kept as stale and local discovery is not affected. Retrying in the background.", EventName = "DiscoveryFailoverDatacenterFailed")]
        public static partial void RemoteFailed(ILogger logger, string serviceName, string datacenter, string errorType, Exception exception);

        [LoggerMessage(3055, LogLevel.Information, "Watching Consul service '{ServiceName}' in failover datacenter '{Datacenter}' recovered after {FailureCount} failed attempt(s).", EventName = "DiscoveryFailoverDatacenterRecovered")]
        public static partial void RemoteRecovered(ILogger logger, string serviceName, string datacenter, int failureCount);
    }
}
