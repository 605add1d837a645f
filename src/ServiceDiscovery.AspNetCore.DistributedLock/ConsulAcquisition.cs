// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>
/// DistributedLock.Core's four acquire methods (sync and async, Acquire and TryAcquire) for one Consul lock or semaphore,
/// given how to try it once with a timeout: its timeout conventions (TryAcquire defaults to one attempt, Acquire's
/// <see langword="null"/> waits forever and a missed timeout throws <see cref="TimeoutException"/>) mapped onto
/// <see cref="IConsulLockProvider"/>'s.
/// </summary>
internal sealed class ConsulAcquisition(Func<TimeSpan, CancellationToken, Task<IConsulLockHandle?>> tryAcquire, string description)
{
    public async ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var handle = await tryAcquire(timeout, cancellationToken).ConfigureAwait(false);
        return handle is null ? null : new ConsulSynchronizationHandle(handle);
    }

    public async ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var wait = timeout ?? Timeout.InfiniteTimeSpan;
        return await TryAcquireAsync(wait, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"{description} was not acquired within {wait}.");
    }

    public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout, CancellationToken cancellationToken)
        => Wait(() => TryAcquireAsync(timeout, cancellationToken));

    public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout, CancellationToken cancellationToken)
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
