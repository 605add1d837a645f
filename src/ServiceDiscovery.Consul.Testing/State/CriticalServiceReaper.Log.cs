// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

internal sealed partial class CriticalServiceReaper
{
    private static partial class Log
    {
        [LoggerMessage(9103, LogLevel.Information, "Reaped service '{ServiceId}': check '{CheckId}' was critical longer than its DeregisterCriticalServiceAfter.", EventName = "ServiceReaped")]
        public static partial void ServiceReaped(ILogger logger, string serviceId, string checkId);
    }
}
