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
    /// <exception cref="InvalidOperationException">Live holders of the semaphore use a different limit (with none left, the new limit is taken), or its <c>.lock</c> key is not in the recipe's shape.</exception>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
    Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Waits without a timeout until this caller holds the lock on <paramref name="key"/>, or <paramref name="cancellationToken"/> fires.</summary>
    /// <param name="key">The KV key to lock, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held lock; dispose it to release.</returns>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
#pragma warning disable RS0027 // The overload with more parameters (a timeout) shipped without optional ones; only the token is optional here, as on the discovery API, and no call binds to both.
    Task<IConsulLockHandle> AcquireAsync(string key, CancellationToken cancellationToken = default)
        => AcquireAsync(key, Timeout.InfiniteTimeSpan, cancellationToken);
#pragma warning restore RS0027

    /// <summary>
    /// Tries to take the lock on <paramref name="key"/>, waiting at most <paramref name="timeout"/> while someone else
    /// holds it; "not now" is <see langword="null"/>, not an exception.
    /// </summary>
    /// <param name="key">The KV key to lock, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="timeout">How long to wait for a holder to release; zero (the default) makes one attempt.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The held lock (dispose it to release), or <see langword="null"/> when it stayed held by others.</returns>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
    async Task<IConsulLockHandle?> TryAcquireAsync(string key, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        try
        {
            return await AcquireAsync(key, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Waits without a timeout until this caller holds one of <paramref name="limit"/> slots of the semaphore at <paramref name="prefix"/>.</summary>
    /// <param name="prefix">The KV prefix of the semaphore, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="limit">How many holders at once; every user of the prefix must use the same limit.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held slot; dispose it to release.</returns>
    /// <exception cref="InvalidOperationException">Live holders use a different limit, or the <c>.lock</c> key is not in the recipe's shape.</exception>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
#pragma warning disable RS0027 // The overload with more parameters (a timeout) shipped without optional ones; only the token is optional here, as on the discovery API, and no call binds to both.
    Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, CancellationToken cancellationToken = default)
        => AcquireSemaphoreAsync(prefix, limit, Timeout.InfiniteTimeSpan, cancellationToken);
#pragma warning restore RS0027

    /// <summary>
    /// Tries to take one of <paramref name="limit"/> slots of the semaphore at <paramref name="prefix"/>, waiting at most
    /// <paramref name="timeout"/> while all are taken; "not now" is <see langword="null"/>, not an exception.
    /// </summary>
    /// <param name="prefix">The KV prefix of the semaphore, under <see cref="ConsulLockOptions.KeyPrefix"/>.</param>
    /// <param name="limit">How many holders at once; every user of the prefix must use the same limit.</param>
    /// <param name="timeout">How long to wait for a slot; zero (the default) makes one attempt.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The held slot (dispose it to release), or <see langword="null"/> when every slot stayed taken.</returns>
    /// <exception cref="InvalidOperationException">Live holders use a different limit, or the <c>.lock</c> key is not in the recipe's shape.</exception>
    /// <exception cref="ConsulException">Consul could not be reached or answered an error.</exception>
    async Task<IConsulLockHandle?> TryAcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        try
        {
            return await AcquireSemaphoreAsync(prefix, limit, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }
}
