// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

internal sealed partial class ConnectClientTransport
{
    private static partial class Log
    {
        [LoggerMessage(8040, LogLevel.Warning, "Connect refused an instance of '{Service}' in datacenter '{Datacenter}' at the TLS handshake, reason {Reason}: {Detail}. The request failed; no plain-text fall-back is tried", EventName = "ConnectServerRefused")]
        public static partial void ServerRefused(ILogger logger, string service, string datacenter, PeerVerificationFailure reason, string detail);

        [LoggerMessage(8041, LogLevel.Warning, "Instance '{InstanceId}' of '{Service}' is Connect-native but this app ('{OwnService}') has no valid Connect leaf certificate; the request was not sent", EventName = "ConnectClientNoLeaf")]
        public static partial void NoLeaf(ILogger logger, string service, string instanceId, string ownService);
    }
}
