// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.Checks;

internal abstract partial class IntervalCheckRunner
{
    private static partial class Log
    {
        [LoggerMessage(9200, LogLevel.Debug, "Check '{CheckId}' returned {Status} but has not reached its success or failure threshold.", EventName = "CheckThresholdNotReached")]
        public static partial void ThresholdNotReached(ILogger logger, string checkId, string status);
    }
}
