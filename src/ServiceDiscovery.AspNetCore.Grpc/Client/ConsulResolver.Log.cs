// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

internal sealed partial class ConsulResolver
{
    private static partial class Log
    {
        [LoggerMessage(8500, LogLevel.Debug, "gRPC channel to Consul service '{ServiceName}' now balances over {AddressCount} address(es) (stale: {IsStale}).", EventName = "ConsulGrpcAddressesPublished")]
        public static partial void AddressesPublished(ILogger logger, string serviceName, int addressCount, bool isStale);

        [LoggerMessage(8501, LogLevel.Warning, "gRPC channel to Consul service '{ServiceName}' could not read the service's instances; asking again in {RetryDelay} (addresses kept: {AddressesKept}).", EventName = "ConsulGrpcResolveFailed")]
        public static partial void ResolveFailed(ILogger logger, string serviceName, TimeSpan retryDelay, bool addressesKept, Exception exception);

        [LoggerMessage(8502, LogLevel.Information, "gRPC channel to Consul service '{ServiceName}' reads the service's instances again, after {FailedAttempts} failed attempt(s).", EventName = "ConsulGrpcResolveRecovered")]
        public static partial void ResolveRecovered(ILogger logger, string serviceName, int failedAttempts);

        [LoggerMessage(8503, LogLevel.Warning, "gRPC channel to Consul service '{ServiceName}' has no instance to call: {Reason}", EventName = "ConsulGrpcNoUsableInstance")]
        public static partial void NoUsableInstance(ILogger logger, string serviceName, string reason);
    }
}
