// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class DiscoveryFailoverStartupCheck
{
    // Discovery owns event ids 3000-3099; failover uses 3050-3059.
    private static partial class Log
    {
        [LoggerMessage(3057, LogLevel.Warning, "Could not check the discovery failover datacenters against Consul at {ConsulAddress} at start-up ({ErrorType}); a datacenter Consul does not know will only be skipped when failing over.", EventName = "DiscoveryFailoverCheckSkipped")]
        public static partial void CheckSkipped(ILogger logger, Uri consulAddress, string errorType, Exception exception);
    }
}
