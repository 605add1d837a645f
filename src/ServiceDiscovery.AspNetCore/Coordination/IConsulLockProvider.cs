// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Distributed locks and semaphores on Consul sessions and KV (<c>AddConsulLocks()</c>).</summary>
public interface IConsulLockProvider
{
    /// <summary>Waits until this caller holds the lock on <paramref name="key"/> (Consul's lock recipe: <c>?acquire=</c> with a session).</summary>
    /// <param name="key">The KV key to lock, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until <paramref name="cancellationToken"/> fires.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="TimeoutException">The lock was not acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
    Task<IConsulLockHandle> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// Waits until this caller holds one of <paramref name="limit"/> slots of the semaphore at <paramref name="prefix"/>
    /// (Consul's semaphore recipe: a contender key per holder and a <c>.lock</c> key with the limit and the holders).
    /// </summary>
    /// <param name="prefix">The KV prefix of the semaphore, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="limit">How many holders at once; every user of the prefix must use the same limit.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits until <paramref name="cancellationToken"/> fires.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held slot; dispose it to release.</returns>
    /// <exception cref="TimeoutException">No slot was acquired within <paramref name="timeout"/>.</exception>
    /// <exception cref="InvalidOperationException">The semaphore exists with a different limit, or its <c>.lock</c> key is not in the recipe's shape.</exception>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
    Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout, CancellationToken cancellationToken);
}
