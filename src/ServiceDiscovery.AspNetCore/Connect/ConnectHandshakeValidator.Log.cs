// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

internal sealed partial class ConnectHandshakeValidator
{
    private static partial class Log
    {
        [LoggerMessage(8030, LogLevel.Information, "Connect refused a caller of '{Target}' at the TLS handshake (certificate subject '{Subject}', serial {SerialNumber}), reason {Reason}: {Detail}", EventName = "ConnectHandshakeRefused")]
        public static partial void Refused(ILogger logger, string target, string subject, string serialNumber, string reason, string detail);
    }
}
