// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

internal sealed partial class ConnectRequestReauthorizer
{
    private static partial class Log
    {
        [LoggerMessage(8031, LogLevel.Information, "Connect refused a request of {Caller} to '{Target}' on an open connection (answered 403, connection closed), reason {Reason}: {Detail}", EventName = "ConnectRequestRefused")]
        public static partial void RequestRefused(ILogger logger, string caller, string target, string reason, string detail);
    }
}
