// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

/// <summary>
/// Puts a <see cref="ConsulConnectHttpMessageHandler"/> innermost (after the handlers the client's own configuration
/// added, Microsoft.Extensions.ServiceDiscovery's resolving handler among them) into every client the factory builds,
/// so a request resolved to a Connect-native instance goes over Connect mTLS instead of the primary handler.
/// </summary>
internal sealed class ConnectHttpClientFilter : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return builder =>
        {
            next(builder);
            builder.AdditionalHandlers.Add(builder.Services.GetRequiredService<ConsulConnectHttpMessageHandler>());
        };
    }
}
