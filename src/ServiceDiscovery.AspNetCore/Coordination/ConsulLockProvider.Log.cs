// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ConsulLockProvider
{
    private static partial class Log
    {
        [LoggerMessage(5000, LogLevel.Debug, "Acquired '{Key}' with Consul session {SessionId} (fencing token {FencingToken}) after {Elapsed}.", EventName = "ConsulLockAcquired")]
        public static partial void Acquired(ILogger logger, string key, string sessionId, ulong fencingToken, TimeSpan elapsed);

        [LoggerMessage(5010, LogLevel.Debug, "'{Key}' was not acquired: still held by others after {Elapsed}.", EventName = "ConsulLockNotAcquired")]
        public static partial void NotAcquired(ILogger logger, string key, TimeSpan elapsed);
    }
}
