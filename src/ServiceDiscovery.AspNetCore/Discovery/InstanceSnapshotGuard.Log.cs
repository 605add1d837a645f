// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class InstanceSnapshotGuard
{
    private static partial class Log
    {
        [LoggerMessage(3020, LogLevel.Warning, "Consul's answer for service '{ServiceName}' drops from {KnownCount} to {AnswerCount} instance(s) (index went backwards: {IndexWentBackwards}); serving the {KnownCount} last known instance(s) for up to {GracePeriod} while it settles ({SettingKey}).", EventName = "DiscoveryVoidGraceStarted")]
        public static partial void GraceStarted(ILogger logger, string serviceName, int knownCount, int answerCount, bool indexWentBackwards, TimeSpan gracePeriod, string settingKey);

        [LoggerMessage(3021, LogLevel.Information, "Consul's answer for service '{ServiceName}' settled at {AnswerCount} instance(s); the grace period ended.", EventName = "DiscoveryVoidGraceSettled")]
        public static partial void GraceSettled(ILogger logger, string serviceName, int answerCount);

        [LoggerMessage(3022, LogLevel.Warning, "Consul's answer for service '{ServiceName}' stayed at {AnswerCount} instance(s) for the whole grace period of {GracePeriod}; using it.", EventName = "DiscoveryVoidGraceExpired")]
        public static partial void GraceExpired(ILogger logger, string serviceName, TimeSpan gracePeriod, int answerCount);

        [LoggerMessage(3023, LogLevel.Warning, "Only {AvailableCount} of {RegisteredCount} instance(s) of service '{ServiceName}' pass their checks, fewer than the panic threshold {PanicThreshold}; balancing over all {RegisteredCount} registered instances ({SettingKey}).", EventName = "DiscoveryPanicStarted")]
        public static partial void PanicStarted(ILogger logger, string serviceName, int availableCount, int registeredCount, double panicThreshold, string settingKey);

        [LoggerMessage(3024, LogLevel.Information, "Service '{ServiceName}' left panic: {AvailableCount} of {RegisteredCount} instance(s) pass.", EventName = "DiscoveryPanicEnded")]
        public static partial void PanicEnded(ILogger logger, string serviceName, int availableCount, int registeredCount);
    }
}
