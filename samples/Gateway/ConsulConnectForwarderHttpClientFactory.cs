// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway;

/// <summary>
/// YARP's forwarder client, with Connect: YARP builds its own <see cref="HttpMessageInvoker"/> per cluster (not through
/// IHttpClientFactory), so its handler is wrapped in a <see cref="ConsulConnectHttpMessageHandler"/>. A destination that
/// the Consul provider resolved to a Connect-native instance is then called over Connect mTLS (the gateway's leaf
/// presented, the instance's certificate checked against Consul's roots and the SPIFFE id of the service it was
/// resolved as); every other destination goes through YARP's handler as before.
/// </summary>
internal sealed class ConsulConnectForwarderHttpClientFactory(IServiceProvider services, ILogger<ForwarderHttpClientFactory> logger)
    : ForwarderHttpClientFactory(logger)
{
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler)
    {
        var connect = services.GetRequiredService<ConsulConnectHttpMessageHandler>();
        connect.InnerHandler = base.WrapHandler(context, handler);
        return connect;
    }
}
