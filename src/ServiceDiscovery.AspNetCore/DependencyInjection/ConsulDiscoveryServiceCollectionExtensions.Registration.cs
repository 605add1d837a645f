// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Health;
using ServiceDiscovery.AspNetCore.Registration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Consul service registration, health and discovery to an ASP.NET Core app.</summary>
public static partial class ConsulDiscoveryServiceCollectionExtensions
{
    /// <summary>
    /// Registers this app in Consul while it runs, with settings bound from the <c>Consul</c> configuration section and
    /// validated at start-up: registration once the server listens, a <c>/health</c> endpoint for Consul's check,
    /// retries and anti-entropy in the background, deregistration and drain on shutdown. Also adds
    /// <see cref="global::ServiceDiscovery.AspNetCore.IConsulServiceDiscovery"/> (see <see cref="AddConsulDiscoveryCache(IServiceCollection)"/>)
    /// so the app can find other services.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscovery(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddConsulRegistration(section: null, configure: null);
    }

    /// <summary>
    /// Registers this app in Consul while it runs, with settings bound from <paramref name="section"/> instead of the
    /// <c>Consul</c> section. See <see cref="AddConsulDiscovery(IServiceCollection)"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The configuration section holding the Consul settings.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="section"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscovery(this IServiceCollection services, IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        return services.AddConsulRegistration(section, configure: null);
    }

    /// <summary>
    /// Registers this app in Consul while it runs, with settings bound from the <c>Consul</c> section and then
    /// adjusted by <paramref name="configure"/>. See <see cref="AddConsulDiscovery(IServiceCollection)"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the settings after configuration binding.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulDiscovery(this IServiceCollection services, Action<ConsulOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddConsulRegistration(section: null, configure);
    }

    /// <summary>
    /// Registration, health and discovery; every service is <c>TryAdd</c>ed so repeated calls add nothing twice.
    /// </summary>
    private static IServiceCollection AddConsulRegistration(this IServiceCollection services, IConfigurationSection? section, Action<ConsulOptions>? configure)
    {
        services.AddConsulOptions(section, configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, RegistrationOptionsValidator>());
        services.AddHealthChecks();
        services.TryAddSingleton<ConsulHealthEndpointState>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ConsulHealthStartupFilter>());
        services.TryAddSingleton<ApplicationHealthProbe>();
        services.TryAddSingleton<INetworkAddressSource, SystemNetworkAddressSource>();
        services.TryAddSingleton(static _ => new RegistrationBackoff());
        services.TryAddSingleton<RegistrationMetrics>();
        if (!services.Any(static d => d.ServiceType == typeof(ConsulRegistrationService)))
        {
            services.AddSingleton<ConsulRegistrationService>();
            services.AddSingleton<IHostedService>(static provider => provider.GetRequiredService<ConsulRegistrationService>());
            services.TryAddSingleton<IConsulRegistration>(static provider => provider.GetRequiredService<ConsulRegistrationService>());
        }

        // The options are bound above (with this call's section and delegate); discovery shares them.
        return services.AddConsulDiscoveryCacheCore(section: null, configure: null);
    }
}
