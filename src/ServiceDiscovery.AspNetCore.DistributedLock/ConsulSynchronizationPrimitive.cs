// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>
/// DistributedLock.Core's four acquire methods (sync and async, Acquire and TryAcquire), shared by the Consul lock and
/// semaphore, given how to try one with a timeout: its timeout conventions (TryAcquire defaults to one attempt, Acquire's
/// <see langword="null"/> waits forever and a missed timeout throws <see cref="TimeoutException"/>) mapped onto
/// <see cref="IConsulLockProvider"/>'s.
/// </summary>
internal abstract class ConsulSynchronizationPrimitive(Func<TimeSpan, CancellationToken, Task<IConsulLockHandle?>> tryAcquire, string description)
{
    public async ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        var handle = await tryAcquire(timeout, cancellationToken).ConfigureAwait(false);
        return handle is null ? null : new ConsulSynchronizationHandle(handle);
    }

    public async ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var wait = timeout ?? Timeout.InfiniteTimeSpan;
        return await TryAcquireAsync(wait, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"{description} was not acquired within {wait}.");
    }

    public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => Wait(() => TryAcquireAsync(timeout, cancellationToken));

    public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => Wait(() => AcquireAsync(timeout, cancellationToken));

    /// <summary>
    /// The synchronous methods block the calling thread, as DistributedLock.Core's own providers do for theirs; the
    /// asynchronous work runs on the thread pool so that a caller's synchronization context cannot deadlock it.
    /// </summary>
    private static T Wait<T>(Func<ValueTask<T>> acquire)
    {
#pragma warning disable VSTHRD002 // DistributedLock.Core's synchronous API is synchronous by contract; the wait is on pool-thread work.
        return Task.Run(() => acquire().AsTask()).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
    }
}
