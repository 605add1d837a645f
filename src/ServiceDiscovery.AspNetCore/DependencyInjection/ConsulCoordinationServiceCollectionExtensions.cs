// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Coordination;
using ServiceDiscovery.AspNetCore.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers leader elections, locks and semaphores on Consul sessions (docs/coordination.md).</summary>
public static class ConsulCoordinationServiceCollectionExtensions
{
    /// <summary>
    /// Adds the leader election <paramref name="name"/>: a keyed <see cref="IConsulLeaderElection"/> (inject it with
    /// <c>[FromKeyedServices(name)]</c>) that campaigns as a hosted service from start-up and steps down as soon as the
    /// host starts stopping (<see cref="IHostApplicationLifetime.ApplicationStopping"/>), before any HTTP drain.
    /// Uses the Consul connection of the <c>Consul</c> configuration section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The election's name; the default key is <c>service/leader/{name}</c>.</param>
    /// <param name="configure">Adjusts the election's settings (after they are bound from <c>Consul:Coordination:Elections:{name}</c>), validated at start-up.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddConsulLeaderElection(this IServiceCollection services, string name, Action<ConsulLeaderElectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddCoordinationCore();
        var options = services.AddOptions<ConsulLeaderElectionOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddKeyedSingleton<IConsulLeaderElection>(name, static (provider, key) => new ConsulLeaderElection(
            (string)key!,
            provider.GetRequiredService<IConsulSessionApi>(),
            provider.GetRequiredService<IConsulKeyValueApi>(),
            provider.GetRequiredService<IOptionsMonitor<ConsulLeaderElectionOptions>>().Get((string)key!),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<CoordinationMetrics>(),
            provider.GetRequiredService<ILogger<ConsulLeaderElection>>(),
            provider.GetService<IHostApplicationLifetime>()));
        services.AddSingleton<IHostedService>(provider => (ConsulLeaderElection)provider.GetRequiredKeyedService<IConsulLeaderElection>(name));
        services.AddSingleton(new ElectionName(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ElectionNameCheck>());
        return services;
    }

    /// <summary>
    /// Adds <see cref="IConsulLockProvider"/>: distributed locks and semaphores on Consul sessions, using the Consul
    /// connection of the <c>Consul</c> configuration section.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the lock settings (after they are bound from <c>Consul:Coordination:Locks</c>), validated at start-up.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddConsulLocks(this IServiceCollection services, Action<ConsulLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddCoordinationCore();
        var options = services.AddOptions<ConsulLockOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton<IConsulLockProvider, ConsulLockProvider>();
        return services;
    }

    private static void AddCoordinationCore(this IServiceCollection services)
    {
        services.AddConsulOptions(section: null, configure: null);
        services.TryAddSingleton<CoordinationMetrics>();
        services.TryAddSingleton<CoordinationSectionBinder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ConsulLeaderElectionOptions>, CoordinationSectionBinder>(static p => p.GetRequiredService<CoordinationSectionBinder>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ConsulLockOptions>, CoordinationSectionBinder>(static p => p.GetRequiredService<CoordinationSectionBinder>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulLeaderElectionOptions>, ConsulSessionOptionsValidator<ConsulLeaderElectionOptions>>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulLockOptions>, ConsulSessionOptionsValidator<ConsulLockOptions>>());
    }
}
