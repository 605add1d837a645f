// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Connect;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Sends requests addressed to a Connect-native instance, as the Consul provider of Microsoft.Extensions.ServiceDiscovery
/// resolved it, over Connect mTLS (docs/connect.md): this app's leaf is presented, the server must chain to Consul's
/// roots and carry the SPIFFE id of the service resolved in its node's datacenter; host names are not checked. Every
/// other request passes to the inner handler untouched.
/// </summary>
/// <remarks>
/// <para>
/// <c>AddConsulServiceEndpointProvider()</c> adds this handler, innermost, to every client of
/// <see cref="IHttpClientFactory"/>, so <c>AddServiceDiscovery()</c> HttpClients need nothing more. Message invokers
/// built outside the factory (YARP's forwarder) wrap their handler in one resolved from the service provider: it is
/// transient, one per pipeline, and its <see cref="DelegatingHandler.InnerHandler"/> is theirs to set.
/// </para>
/// <para>
/// A Connect-native instance is never called through the inner handler: without <c>AddConsulConnect()</c> (no
/// identity to present) the request fails with an <see cref="HttpRequestException"/> saying so, before anything is sent.
/// </para>
/// </remarks>
public sealed class ConsulConnectHttpMessageHandler : DelegatingHandler
{
    private readonly ConnectEndpoints _endpoints;
    private readonly ConnectClientTransport? _transport;

    internal ConsulConnectHttpMessageHandler(ConnectEndpoints endpoints, ConnectClientTransport? transport)
    {
        _endpoints = endpoints;
        _transport = transport;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { } uri || !_endpoints.TryFind(uri, out var instance))
        {
            return base.SendAsync(request, cancellationToken);
        }

        return SendConnectAsync(request, uri, instance, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendConnectAsync(HttpRequestMessage request, Uri original, ConsulServiceInstance instance, CancellationToken cancellationToken)
    {
        if (_transport is null)
        {
            throw ConnectClientTransport.NoIdentity(instance);
        }

        try
        {
            return await _transport.SendAsync(request, instance, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            request.RequestUri = original; // the transport sets https and the port; an outer retry sees what it sent
        }
    }
}
