// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Authentication;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Makes every HTTPS endpoint of Kestrel a Connect endpoint when <c>Consul:Connect:Enabled</c> is true (and <c>ClientOnly</c> is not): the server
/// certificate is whatever leaf <see cref="ConnectCertificateSource"/> holds at each handshake (with its intermediates;
/// a renewal needs no rebind and drops no connection), TLS 1.2 or 1.3, HTTP/1.1 and HTTP/2 by ALPN, and a client
/// certificate is required and judged by <see cref="ConnectHandshakeValidator"/> alone, never the machine's store.
/// </summary>
internal sealed class ConnectKestrelSetup(IOptionsMonitor<ConsulOptions> options, IServiceProvider services) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        if (!options.CurrentValue.Connect.ServesMutualTls)
        {
            return;
        }

        // Resolved only when Connect is on: the source needs a service name, which an app without Connect may lack.
        var source = services.GetRequiredService<ConnectCertificateSource>();
        var validator = services.GetRequiredService<ConnectHandshakeValidator>();
        var metrics = services.GetRequiredService<ConnectMetrics>();
        kestrel.ConfigureHttpsDefaults(https => Apply(https, source, validator, metrics));
    }

    /// <summary>Applies Connect to one endpoint's HTTPS settings.</summary>
    public static void Apply(HttpsConnectionAdapterOptions https, ConnectCertificateSource source, ConnectHandshakeValidator validator, ConnectMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(https);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(validator);
        ArgumentNullException.ThrowIfNull(metrics);

        // Kestrel wants a certificate or a selector to accept the endpoint; OnAuthenticate below hands SslStream the
        // leaf's prebuilt context instead, so that the intermediates travel with it.
        https.ServerCertificateSelector = (_, _) => source.CurrentLeaf()?.Certificate;
        https.ServerCertificateChain = null;
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = validator.Validate;
        https.CheckCertificateRevocation = false;
        https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        https.OnAuthenticate = (connection, ssl) =>
        {
            // Before any request: requests on this connection read it to know when to authorize the caller again.
            ConnectCallerConnection.Attach(connection);
            if (source.CurrentLeaf() is { } leaf)
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = leaf.Context;
            }
            else
            {
                // No valid leaf: the selector returns null and the handshake fails closed (the source has logged why).
                metrics.Handshake(source.ServiceName, "no_leaf");
            }

            ssl.ApplicationProtocols ??= [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
        };
    }
}
