// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.ServiceDiscovery;
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
