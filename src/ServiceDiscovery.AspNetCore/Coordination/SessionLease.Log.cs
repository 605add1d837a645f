// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class SessionLease
{
    private static partial class Log
    {
        [LoggerMessage(5002, LogLevel.Warning, "Lost '{Key}' held with Consul session {SessionId}: {Reason}.", EventName = "ConsulLockLost")]
        public static partial void Lost(ILogger logger, string key, string sessionId, string reason);

        [LoggerMessage(5003, LogLevel.Warning, "Renewing Consul session {SessionId} for '{Key}' failed; stepping down at {Deadline:O} unless a renewal succeeds. {Error}", EventName = "ConsulSessionRenewFailed")]
        public static partial void RenewFailed(ILogger logger, string sessionId, string key, DateTimeOffset deadline, string error);

        [LoggerMessage(5008, LogLevel.Warning, "Destroying Consul session {SessionId} (held for '{Key}') failed; Consul frees what it holds after the session TTL and lock-delay. {Error}", EventName = "ConsulSessionDestroyFailed")]
        public static partial void DestroyFailed(ILogger logger, string sessionId, string key, string error);
    }
}
