// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class DatacenterWatch
{
    // One line per state change.
    private static partial class Log
    {
        [LoggerMessage(3040, LogLevel.Warning, "Watching the datacenter through {Endpoint} at {ConsulAddress} failed ({ErrorType}); serving the last-known-good answers of {NameCount} name(s) as stale, retrying in the background.", EventName = "DiscoveryDatacenterWatchFailed")]
        public static partial void QueryFailed(ILogger logger, string endpoint, Uri consulAddress, string errorType, int nameCount, Exception exception);

        [LoggerMessage(3041, LogLevel.Information, "Watching the datacenter through {Endpoint} recovered after {FailureCount} failed attempt(s).", EventName = "DiscoveryDatacenterWatchRecovered")]
        public static partial void QueryRecovered(ILogger logger, string endpoint, int failureCount);

        [LoggerMessage(3042, LogLevel.Information, "Consul's index for {Endpoint} went backwards ({RequestedIndex} to {ReturnedIndex}), e.g. after an agent restart; reading it again from the start.", EventName = "DiscoveryDatacenterIndexReset")]
        public static partial void IndexWentBackwards(ILogger logger, string endpoint, ulong requestedIndex, ulong returnedIndex);
    }
}
