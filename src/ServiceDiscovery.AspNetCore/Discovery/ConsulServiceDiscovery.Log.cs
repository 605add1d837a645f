// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class ConsulServiceDiscovery
{
    private static partial class Log
    {
        [LoggerMessage(3003, LogLevel.Debug, "Consul service '{ServiceName}' was not looked up for {IdleTimeout}; its watch stops until the next lookup.", EventName = "DiscoveryWatchEvicted")]
        public static partial void WatchEvicted(ILogger logger, string serviceName, TimeSpan idleTimeout);

        [LoggerMessage(3043, LogLevel.Information, "Watching {NameCount} service name(s) through the datacenter from now on ({Reason}).", EventName = "DiscoveryDatacenterModeSwitched")]
        public static partial void SwitchedToDatacenter(ILogger logger, int nameCount, string reason);
    }
}
