// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ElectionNameCheck
{
    private static partial class Log
    {
        [LoggerMessage(5012, LogLevel.Warning, "Configuration section {Section} names no leader election of this app and is ignored. Did you mean '{Suggestion}'? Elections registered with AddConsulLeaderElection: {Registered}.", EventName = "ConsulUnknownElection")]
        public static partial void UnknownElection(ILogger logger, string section, string suggestion, string registered);
    }
}
