// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ConsulLeaderElection
{
    private static partial class Log
    {
        [LoggerMessage(5005, LogLevel.Information, "Leader election '{Election}': this instance now leads ('{Key}', Consul session {SessionId}).", EventName = "ConsulLeadershipAcquired")]
        public static partial void BecameLeader(ILogger logger, string election, string key, string sessionId);

        [LoggerMessage(5006, LogLevel.Information, "Leader election '{Election}': this instance stepped down ('{Key}', Consul session {SessionId}) after leading for {Term}.", EventName = "ConsulLeadershipLost")]
        public static partial void SteppedDown(ILogger logger, string election, string key, string sessionId, TimeSpan term);

        [LoggerMessage(5007, LogLevel.Warning, "Leader election '{Election}' on '{Key}': talking to Consul failed; trying again in {RetryDelay}. {Error}", EventName = "ConsulLeaderElectionFailed")]
        public static partial void CampaignFailed(ILogger logger, string election, string key, TimeSpan retryDelay, string error);

        [LoggerMessage(5009, LogLevel.Warning, "Leader election '{Election}': releasing '{Key}' held with Consul session {SessionId} after stepping down failed; Consul frees it when the session is destroyed or expires. {Error}", EventName = "ConsulLeadershipReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string election, string key, string sessionId, string error);
    }
}
