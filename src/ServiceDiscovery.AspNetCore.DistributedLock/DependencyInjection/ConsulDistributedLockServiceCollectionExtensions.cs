// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.DistributedLock;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers DistributedLock.Core's providers on Consul.</summary>
public static class ConsulDistributedLockServiceCollectionExtensions
{
    /// <summary>
    /// Adds DistributedLock.Core's <see cref="IDistributedLockProvider"/> and <see cref="IDistributedSemaphoreProvider"/>
    /// on Consul locks and semaphores (<c>AddConsulLocks()</c>, which this adds too): a lock or semaphore name is its KV
    /// key under <see cref="ConsulLockOptions.KeyPrefix"/>, and a handle's <c>HandleLostToken</c> fires when the Consul
    /// session holding it is lost.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the lock settings (after they are bound from <c>Consul:Coordination:Locks</c>), validated at start-up.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddConsulDistributedLocks(this IServiceCollection services, Action<ConsulLockOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulLocks(configure);
        services.TryAddSingleton<ConsulDistributedSynchronizationProvider>();
        services.TryAddSingleton<IDistributedLockProvider>(static p => p.GetRequiredService<ConsulDistributedSynchronizationProvider>());
        services.TryAddSingleton<IDistributedSemaphoreProvider>(static p => p.GetRequiredService<ConsulDistributedSynchronizationProvider>());
        return services;
    }
}
