// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Core;

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// Whether a channel's credentials make it speak TLS, read the way Grpc.Net.Client reads them: insecure credentials
/// mean plaintext HTTP/2 (h2c); SSL credentials, alone or composed with call credentials, mean TLS.
/// </summary>
internal static class ChannelSecurity
{
    /// <summary>Whether <paramref name="credentials"/> make the channel use TLS; <see langword="null"/> when they are not set.</summary>
    public static bool? IsSecure(ChannelCredentials? credentials)
    {
        if (credentials is null)
        {
            return null;
        }

        var reader = new Reader();
        credentials.InternalPopulateConfiguration(reader, credentials);
        return reader.Secure;
    }

    private sealed class Reader : ChannelCredentialsConfiguratorBase
    {
        public bool Secure { get; private set; }

        public override void SetInsecureCredentials(object state) => Secure = false;

        public override void SetSslCredentials(object state, string? rootCertificates, KeyCertificatePair? keyCertificatePair, VerifyPeerCallback? verifyPeerCallback)
            => Secure = true;

        public override void SetCompositeCredentials(object state, ChannelCredentials channelCredentials, CallCredentials callCredentials)
            => channelCredentials.InternalPopulateConfiguration(this, channelCredentials);
    }
}
