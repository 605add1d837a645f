// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ConsulLockHandle
{
    private static partial class Log
    {
        [LoggerMessage(5001, LogLevel.Debug, "Released '{Key}' and destroyed Consul session {SessionId}.", EventName = "ConsulLockReleased")]
        public static partial void Released(ILogger logger, string key, string sessionId);

        [LoggerMessage(5004, LogLevel.Warning, "Releasing '{Key}' held with Consul session {SessionId} failed; Consul frees it when the session is destroyed or expires. {Error}", EventName = "ConsulLockReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string key, string sessionId, string error);
    }
}
