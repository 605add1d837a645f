// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

namespace Microsoft.Extensions.DependencyInjection;

public static partial class ConsulDiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Plugs Consul into Microsoft.Extensions.ServiceDiscovery: <c>services.AddServiceDiscovery()</c> users, YARP and
    /// <c>AddServiceDiscovery()</c> HttpClients resolve service names from the Consul discovery cache, and refresh when
    /// Consul pushes a change (the cache's change token) rather than on a polling timer. The provider goes ahead of
    /// the configuration and pass-through providers already registered, so a Consul service is not also resolved as
    /// a DNS name. Adds <see cref="AddConsulDiscoveryCache(IServiceCollection)"/> if it is not there yet.
    /// </summary>
    /// <remarks>
    /// Connect-native instances (docs/connect.md) are resolved to <c>https://address:port</c> and called over Connect
    /// mTLS by a <see cref="ConsulConnectHttpMessageHandler"/>, which this adds to every <see cref="IHttpClientFactory"/>
    /// client; it needs <c>AddConsulConnect()</c> for the app's own certificate. Invokers built outside the factory
    /// (YARP's forwarder) wrap their handler in one (docs/gateway.md).
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulServiceEndpointProvider(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulDiscoveryCache();
        if (services.Any(static d => d.ServiceType == typeof(IServiceEndpointProviderFactory) && d.ImplementationType == typeof(ConsulServiceEndpointProviderFactory)))
        {
            return services;
        }

        services.TryAddSingleton<ConnectEndpoints>();
        services.TryAddTransient(static provider => new ConsulConnectHttpMessageHandler(
            provider.GetRequiredService<ConnectEndpoints>(),
            provider.GetRequiredService<IOptionsMonitor<ConsulOptions>>().CurrentValue.Connect.Enabled ? provider.GetService<ConnectClientTransport>() : null)); // no identity unless Connect is on
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, ConnectHttpClientFilter>());
        var descriptor = ServiceDescriptor.Singleton<IServiceEndpointProviderFactory, ConsulServiceEndpointProviderFactory>();
        var first = services.IndexOf(services.FirstOrDefault(static d => d.ServiceType == typeof(IServiceEndpointProviderFactory))!);
        if (first >= 0)
        {
            services.Insert(first, descriptor);
        }
        else
        {
            services.Add(descriptor);
        }

        return services;
    }
}
