// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

internal sealed partial class ConnectAuthorizer
{
    private static partial class Log
    {
        [LoggerMessage(8020, LogLevel.Debug, "Consul allows {CallerUri} to connect to '{Target}': {Reason}", EventName = "ConnectCallerAllowed")]
        public static partial void Allowed(ILogger logger, string callerUri, string target, string reason);

        [LoggerMessage(8021, LogLevel.Warning, "Consul denies {CallerUri} to connect to '{Target}'; its new connections are refused at the TLS handshake, and open ones at their next request: {Reason}", EventName = "ConnectCallerDenied")]
        public static partial void Denied(ILogger logger, string callerUri, string target, string reason);

        [LoggerMessage(8022, LogLevel.Warning, "Authorizing {CallerUri} to connect to '{Target}' failed at the Consul agent {ConsulAddress}; the connection is refused (fail closed): {Error}", EventName = "ConnectAuthorizeFailed")]
        public static partial void AuthorizeFailed(ILogger logger, string callerUri, string target, Uri consulAddress, string error);
    }
}
