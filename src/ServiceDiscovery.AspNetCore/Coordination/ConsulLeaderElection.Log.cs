// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

internal sealed partial class ConsulLeaderElection
{
    private static partial class Log
    {
        [LoggerMessage(5005, LogLevel.Information, "Leader election '{Election}': this instance now leads ('{Key}', Consul session {SessionId}, fencing token {FencingToken}).", EventName = "ConsulLeadershipAcquired")]
        public static partial void BecameLeader(ILogger logger, string election, string key, string sessionId, ulong fencingToken);

        [LoggerMessage(5006, LogLevel.Information, "Leader election '{Election}': this instance stepped down ('{Key}', Consul session {SessionId}) after leading for {Term}.", EventName = "ConsulLeadershipLost")]
        public static partial void SteppedDown(ILogger logger, string election, string key, string sessionId, TimeSpan term);

        [LoggerMessage(5007, LogLevel.Warning, "Leader election '{Election}' on '{Key}': talking to Consul failed; trying again in {RetryDelay}. {Error}", EventName = "ConsulLeaderElectionFailed")]
        public static partial void CampaignFailed(ILogger logger, string election, string key, TimeSpan retryDelay, string error);

        [LoggerMessage(5011, LogLevel.Warning, "Leader election '{Election}' on '{Key}': Consul denied the token (403, failure {Failures} in a row); trying again in {RetryDelay}. Give the token the ACL rules key:write on that key and session:write on this node. {Error}", EventName = "ConsulLeaderElectionDenied")]
        public static partial void CampaignDenied(ILogger logger, string election, string key, int failures, TimeSpan retryDelay, string error);

        [LoggerMessage(5009, LogLevel.Warning, "Leader election '{Election}': releasing '{Key}' held with Consul session {SessionId} after stepping down failed; Consul frees it when the session is destroyed or expires. {Error}", EventName = "ConsulLeadershipReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string election, string key, string sessionId, string error);
    }
}
