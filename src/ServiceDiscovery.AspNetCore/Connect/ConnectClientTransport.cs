// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Sends requests to Connect-native instances over mTLS: this app's current leaf is presented, and the server must
/// pass <see cref="ConnectPeerVerifier.VerifyServer"/> for the service called, in the datacenter of the instance's
/// node. Host names are not checked.
/// </summary>
/// <remarks>
/// <para>
/// Connection pooling: <see cref="SocketsHttpHandler"/> pools per scheme, host and port and checks the server once,
/// at the handshake, so a pooled connection must never serve a request that expects another identity (an address
/// and port reused by another service, or the same process moved to another datacenter in Consul's view). Each
/// expected identity, (service, datacenter), therefore has its own handler and pool; a request only ever reuses a
/// connection whose server was verified for the identity that request expects.
/// </para>
/// <para>
/// What is presented: the leaf with the intermediates of its <c>CertPEM</c> (after a rotation, the new root
/// cross-signed by the old one), through <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/> built
/// once per leaf (<see cref="ConnectLeaf.Context"/>), so a server that still trusts only the old root can verify a leaf
/// of the new one. A handler's TLS settings are fixed once it has opened a connection, so each identity's pool belongs
/// to one leaf (<see cref="ConnectLeafInvoker"/>): a request carrying a newer leaf than its identity's pool replaces the
/// pool, the old one takes no new request and is disposed once its requests have been sent. So after a renewal every
/// new request goes out on a connection presenting the new leaf; requests already under way are not disturbed.
/// </para>
/// <para>
/// Rotation: the roots are read from <see cref="ConnectCertificateSource"/> at every handshake, so new connections
/// trust the new roots at once, while open connections (already verified) carry on. Connections are recycled after
/// <see cref="PooledConnectionLifetime"/> in any case.
/// </para>
/// </remarks>
internal sealed partial class ConnectClientTransport(
    ConnectCertificateSource source,
    ConnectPeerVerifier verifier,
    ConnectMetrics metrics,
    ILogger<ConnectClientTransport> logger) : IDisposable
{
    /// <summary>How long a pooled connection is used before a new handshake (with the then current leaf) replaces it.</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<(string Service, string Datacenter), ConnectLeafInvoker> invokers = new();
    private readonly Lock replacing = new();

    /// <summary>
    /// Sends <paramref name="request"/> (its URI already pointing at <paramref name="instance"/>) over mTLS. Fails
    /// before connecting, with an <see cref="HttpRequestException"/> that does not blame the instance, when this app
    /// has no usable leaf or the instance's datacenter is unknown.
    /// </summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, ConsulServiceInstance instance, CancellationToken cancellationToken)
    {
        if (source.CurrentLeaf() is not { } leaf)
        {
            Log.NoLeaf(logger, instance.ServiceName, instance.Id, source.ServiceName);
            throw new HttpRequestException(
                $"Instance '{instance.Id}' of Consul service '{instance.ServiceName}' is Connect-native, but this app ('{source.ServiceName}') has no valid Connect leaf certificate to present (not issued yet, expired, or the agent is unreachable; see the ConnectWatchFailed and ConnectLeafUnusable logs). The request was not sent.");
        }

        if (instance.Datacenter.Length == 0)
        {
            throw new HttpRequestException(
                $"Instance '{instance.Id}' of Consul service '{instance.ServiceName}' is Connect-native, but Consul's answer did not say its datacenter, so the identity its certificate must carry is unknown. The request was not sent.");
        }

        request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = Uri.UriSchemeHttps, Port = instance.Port }.Uri;
        var key = (instance.ServiceName.ToLowerInvariant(), instance.Datacenter.ToLowerInvariant());
        return SendAsync(request, key, leaf, cancellationToken);
    }

    /// <summary>
    /// The error for a Connect-native instance reached by an app without <c>AddConsulConnect()</c>: there is no
    /// certificate to present, and the call fails rather than falling back to plain text.
    /// </summary>
    public static HttpRequestException NoIdentity(ConsulServiceInstance instance) => new(
        $"Instance '{instance.Id}' of Consul service '{instance.ServiceName}' is Connect-native (mTLS only), but this app has no Connect identity: call builder.Services.AddConsulConnect() and set Consul:Connect:Enabled to true. The request was not sent.");

    public void Dispose()
    {
        foreach (var invoker in invokers.Values)
        {
            invoker.Dispose();
        }

        invokers.Clear();
    }

    /// <summary>Whether <paramref name="candidate"/> was issued after <paramref name="current"/> (a renewal or a rotation's reissue).</summary>
    private static bool IsNewer(ConnectLeaf candidate, ConnectLeaf current) =>
        candidate.ValidAfter > current.ValidAfter || (candidate.ValidAfter == current.ValidAfter && candidate.Index > current.Index);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, (string Service, string Datacenter) key, ConnectLeaf leaf, CancellationToken cancellationToken)
    {
        while (true)
        {
            var invoker = Invoker(key, leaf);
            if (!invoker.TryAcquire())
            {
                continue;   // retired between the look-up and the entry: its replacement is in the map already
            }

            try
            {
                return await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                invoker.Release();
            }
        }
    }

    /// <summary>
    /// The identity's pool, replaced first when <paramref name="leaf"/> is newer than the pool's. A request that read
    /// an older leaf just before a renewal uses the newer pool rather than bringing the old leaf back.
    /// </summary>
    private ConnectLeafInvoker Invoker((string Service, string Datacenter) key, ConnectLeaf leaf)
    {
        if (invokers.TryGetValue(key, out var current) && !current.IsRetired && !IsNewer(leaf, current.Leaf))
        {
            return current;
        }

        lock (replacing)
        {
            if (invokers.TryGetValue(key, out current) && !current.IsRetired && !IsNewer(leaf, current.Leaf))
            {
                return current;
            }

            var created = new ConnectLeafInvoker(leaf, Create(key.Service, key.Datacenter, leaf));
            invokers[key] = created;
            current?.Retire();
            return created;
        }
    }

    private HttpMessageInvoker Create(string service, string datacenter, ConnectLeaf leaf) => new(
        new SocketsHttpHandler
        {
            PooledConnectionLifetime = PooledConnectionLifetime,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,

                // The leaf with its intermediates, as one prebuilt context: a certificate selection callback would
                // send the leaf alone.
                ClientCertificateContext = leaf.Context,
                RemoteCertificateValidationCallback = (_, certificate, chain, _) => VerifyServer(service, datacenter, certificate, chain),
            },
        },
        disposeHandler: true);

    private bool VerifyServer(string service, string datacenter, X509Certificate? certificate, X509Chain? chain)
    {
        // The platform's own verdict (SslPolicyErrors: machine store, host name) is ignored on purpose: only
        // Consul's roots and the SPIFFE id count. Certificates the server sent beyond its leaf are in ExtraStore.
        var result = verifier.VerifyServer(certificate as X509Certificate2, chain?.ChainPolicy.ExtraStore, source.Trust, service, datacenter);
        metrics.ClientHandshake(service, result.Failure);
        if (!result.IsAccepted)
        {
            Log.ServerRefused(logger, service, datacenter, result.Failure.Value, result.Detail);
        }

        return result.IsAccepted;
    }
}
