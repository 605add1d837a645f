// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Builds the named client's primary handler from <see cref="ConsulOptions.Tls"/>.</summary>
internal static class ConsulHttpHandlerFactory
{
    public static SocketsHttpHandler Create(ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            // A redirect would carry X-Consul-Token to wherever it points; Consul's API never redirects a valid path.
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = options.Timeout > TimeSpan.Zero ? options.Timeout : TimeSpan.FromSeconds(10),
        };

        var tls = options.Tls;
        var ssl = handler.SslOptions;
        if (!string.IsNullOrWhiteSpace(tls.ServerName))
        {
            ssl.TargetHost = tls.ServerName;
        }

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
