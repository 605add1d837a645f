// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>Log messages of leader elections, locks and semaphores (event ids 500-549). Every message names the key and the session.</summary>
internal static partial class CoordinationLog
{
    [LoggerMessage(500, LogLevel.Information, "Acquired '{Key}' with Consul session {SessionId} after {Elapsed}.", EventName = "ConsulLockAcquired")]
    public static partial void Acquired(ILogger logger, string key, string sessionId, TimeSpan elapsed);

    [LoggerMessage(501, LogLevel.Information, "Released '{Key}' and destroyed Consul session {SessionId}.", EventName = "ConsulLockReleased")]
    public static partial void Released(ILogger logger, string key, string sessionId);

    [LoggerMessage(502, LogLevel.Warning, "Lost '{Key}' held with Consul session {SessionId}: {Reason}.", EventName = "ConsulLockLost")]
    public static partial void Lost(ILogger logger, string key, string sessionId, string reason);

    [LoggerMessage(503, LogLevel.Warning, "Renewing Consul session {SessionId} for '{Key}' failed; stepping down at {Deadline:O} unless a renewal succeeds. {Error}", EventName = "ConsulSessionRenewFailed")]
    public static partial void RenewFailed(ILogger logger, string sessionId, string key, DateTimeOffset deadline, string error);

    [LoggerMessage(504, LogLevel.Warning, "Releasing '{Key}' or destroying Consul session {SessionId} failed; Consul frees it after the session TTL and lock-delay. {Error}", EventName = "ConsulLockReleaseFailed")]
    public static partial void ReleaseFailed(ILogger logger, string key, string sessionId, string error);

    [LoggerMessage(505, LogLevel.Information, "Leader election '{Election}': this instance now leads ('{Key}', Consul session {SessionId}).", EventName = "ConsulLeadershipAcquired")]
    public static partial void BecameLeader(ILogger logger, string election, string key, string sessionId);

    [LoggerMessage(506, LogLevel.Information, "Leader election '{Election}': this instance stepped down ('{Key}', Consul session {SessionId}) after leading for {Term}.", EventName = "ConsulLeadershipLost")]
    public static partial void SteppedDown(ILogger logger, string election, string key, string sessionId, TimeSpan term);

    [LoggerMessage(507, LogLevel.Warning, "Leader election '{Election}' on '{Key}': talking to Consul failed; trying again in {RetryDelay}. {Error}", EventName = "ConsulLeaderElectionFailed")]
    public static partial void CampaignFailed(ILogger logger, string election, string key, TimeSpan retryDelay, string error);
}
