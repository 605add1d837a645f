// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ConsulLockProvider
{
    private static partial class Log
    {
        [LoggerMessage(5000, LogLevel.Information, "Acquired '{Key}' with Consul session {SessionId} after {Elapsed}.", EventName = "ConsulLockAcquired")]
        public static partial void Acquired(ILogger logger, string key, string sessionId, TimeSpan elapsed);
    }
}
