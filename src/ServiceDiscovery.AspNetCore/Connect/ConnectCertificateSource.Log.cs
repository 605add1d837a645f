// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

internal sealed partial class ConnectCertificateSource
{
    private static partial class Log
    {
        [LoggerMessage(8000, LogLevel.Information, "Connect leaf certificate for '{ServiceName}' in use: serial {SerialNumber}, {ServiceUri}, valid {ValidAfter:o} to {ValidBefore:o}.", EventName = "ConnectLeafIssued")]
        public static partial void LeafIssued(ILogger logger, string serviceName, string serialNumber, string serviceUri, DateTimeOffset validAfter, DateTimeOffset validBefore);

        [LoggerMessage(8001, LogLevel.Information, "Connect CA roots for '{ServiceName}' in use: {RootCount} trusted root(s), active {ActiveRootId}, trust domain {TrustDomain} (index {Index}).", EventName = "ConnectRootsChanged")]
        public static partial void RootsChanged(ILogger logger, string serviceName, int rootCount, string activeRootId, string trustDomain, ulong index);

        [LoggerMessage(8002, LogLevel.Warning, "Watching the Connect {Resource} of '{ServiceName}' at the Consul agent {ConsulAddress} failed; the current certificates keep serving (the leaf until {LeafValidUntil:o}) and it is retried with backoff: {Error}", EventName = "ConnectWatchFailed")]
        public static partial void WatchFailed(ILogger logger, string serviceName, string resource, Uri consulAddress, DateTimeOffset? leafValidUntil, string error);

        [LoggerMessage(8003, LogLevel.Debug, "Watching the Connect {Resource} of '{ServiceName}' failed again ({Failures} in a row); next attempt in {Delay}: {Error}", EventName = "ConnectWatchStillFailing")]
        public static partial void WatchStillFailing(ILogger logger, string serviceName, string resource, int failures, TimeSpan delay, string error);

        [LoggerMessage(8004, LogLevel.Information, "Watching the Connect {Resource} of '{ServiceName}' works again after {Failures} failed attempt(s).", EventName = "ConnectWatchRecovered")]
        public static partial void WatchRecovered(ILogger logger, string serviceName, string resource, int failures);

        [LoggerMessage(8005, LogLevel.Error, "The Connect leaf certificate of '{ServiceName}' (serial {SerialNumber}, valid {ValidAfter:o} to {ValidBefore:o}) is not valid now ({Now:o}) and the agent has issued no other: every new mTLS handshake is refused until it does.", EventName = "ConnectLeafUnusable")]
        public static partial void LeafUnusable(ILogger logger, string serviceName, string serialNumber, DateTimeOffset validAfter, DateTimeOffset validBefore, DateTimeOffset now);
    }
}
