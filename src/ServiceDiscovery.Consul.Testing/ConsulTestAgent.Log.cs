// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing;

public sealed partial class ConsulTestAgent
{
    private static partial class Log
    {
        [LoggerMessage(9001, LogLevel.Information, "Consul test agent listening on {Address}.", EventName = "AgentStarted")]
        public static partial void Started(ILogger logger, Uri address);

        [LoggerMessage(9002, LogLevel.Information, "Consul test agent on port {Port} stopped accepting connections.", EventName = "AgentStopped")]
        public static partial void Stopped(ILogger logger, int port);

        [LoggerMessage(9003, LogLevel.Information, "Consul test agent restarted (state kept: {KeepState}).", EventName = "AgentRestarted")]
        public static partial void Restarted(ILogger logger, bool keepState);

        [LoggerMessage(9004, LogLevel.Information, "Consul test agent paused: requests are held.", EventName = "AgentPaused")]
        public static partial void Paused(ILogger logger);

        [LoggerMessage(9005, LogLevel.Information, "Consul test agent resumed.", EventName = "AgentResumed")]
        public static partial void Resumed(ILogger logger);
    }
}
