// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing;

public sealed partial class ConsulTestCluster
{
    private static partial class Log
    {
        [LoggerMessage(9201, LogLevel.Information, "Member {Node} failed: serfHealth critical.", EventName = "MemberFailed")]
        public static partial void NodeFailed(ILogger logger, string node);

        [LoggerMessage(9202, LogLevel.Information, "Member {Node} is alive again: serfHealth passing, local state synced.", EventName = "MemberAlive")]
        public static partial void AgentAlive(ILogger logger, string node);

        [LoggerMessage(9203, LogLevel.Information, "Member {Node} force-left: its node is deregistered.", EventName = "MemberLeft")]
        public static partial void NodeLeft(ILogger logger, string node);
    }
}
