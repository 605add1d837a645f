// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Discovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ServiceDiscovery.AspNetCore's Consul integration.</summary>
public static partial class ConsulDiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IConsulServiceDiscovery"/>, the Consul discovery cache, for apps that only consume services
    /// (<c>AddConsulDiscovery()</c> includes it). Binds the <c>Consul</c> configuration section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscoveryCache(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddConsulDiscoveryCacheCore(section: null, configure: null);
    }

    /// <summary>Adds <see cref="IConsulServiceDiscovery"/>, binding <paramref name="section"/> instead of <c>Consul</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section shaped like <c>Consul</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="section"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscoveryCache(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddConsulDiscoveryCacheCore(section, configure: null);
    }

    /// <summary>Adds <see cref="IConsulServiceDiscovery"/>; <paramref name="configure"/> runs after the <c>Consul</c> section is bound.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options, e.g. <c>o =&gt; o.Discovery.PassingOnly = false</c>.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscoveryCache(this IServiceCollection services, Action<ConsulOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddConsulDiscoveryCacheCore(section: null, configure);
    }

    private static IServiceCollection AddConsulDiscoveryCacheCore(this IServiceCollection services, IConfigurationSection? section, Action<ConsulOptions>? configure)
    {
        services.AddConsulOptions(section, configure); // validated on start by the client core
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulDiscoveryCacheOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulDiscoveryFailoverOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DiscoveryFailoverStartupCheck>());
        services.TryAddSingleton<DiscoveryMetrics>();
        services.TryAddSingleton<ConsulServiceDiscovery>();
        services.TryAddSingleton<IConsulServiceDiscovery>(static provider => provider.GetRequiredService<ConsulServiceDiscovery>());
        return services;
    }
}
