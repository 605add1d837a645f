// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Builds the named client's primary handler from <see cref="ConsulClientOptions.Tls"/>.</summary>
internal static class ConsulHttpHandlerFactory
{
    public static SocketsHttpHandler Create(ConsulClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            // A redirect would carry X-Consul-Token to wherever it points; Consul's API never redirects a valid path.
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout > TimeSpan.Zero ? options.Timeout : TimeSpan.FromSeconds(10),
            MaxConnectionsPerServer = Math.Max(1, options.MaxConnectionsPerServer),
        };

        var tls = options.Tls;
        var ssl = handler.SslOptions;
        if (tls.InsecureSkipVerify)
        {
#pragma warning disable CA5359 // Opt-in by the user (Consul:Tls:InsecureSkipVerify / CONSUL_HTTP_SSL_VERIFY=false), as in Consul's CLI.
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrWhiteSpace(tls.CaFile))
        {
            // The CA file replaces the system roots, as Go's tls.Config.RootCAs does; host name checks still apply.
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(tls.CaFile);
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            ssl.CertificateChainPolicy = policy;
        }

        if (!tls.InsecureSkipVerify)
        {
            // Accepts what the platform accepts (ServerName standing in for the request's host, which
            // SocketsHttpHandler would otherwise check); a refusal throws its cause instead of the platform's
            // "rejected by the provided callback", and surfaces as the handshake failure's inner exception.
            ssl.RemoteCertificateValidationCallback = (sender, certificate, chain, errors)
                => ConsulTlsDiagnosis.Validate(tls, options.SectionPath, (sender as SslStream)?.TargetHostName ?? string.Empty, certificate, chain, errors);
        }

        if (!string.IsNullOrWhiteSpace(tls.ClientCertificateFile))
        {
            var certificate = X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, string.IsNullOrWhiteSpace(tls.ClientKeyFile) ? null : tls.ClientKeyFile);
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use the ephemeral key a PEM import creates; a PKCS#12 round trip persists it.
                using var ephemeral = certificate;
                certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            }

            ssl.ClientCertificates = [certificate];
        }

        return handler;
    }
}
