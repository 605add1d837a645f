// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>DistributedLock.Core's semaphore on the Consul semaphore at prefix <see cref="Name"/> with <see cref="MaxCount"/> slots.</summary>
internal sealed class ConsulDistributedSemaphore : IDistributedSemaphore
{
    private readonly ConsulAcquisition _acquisition;

    public ConsulDistributedSemaphore(IConsulLockProvider locks, string name, int maxCount)
    {
        Name = name;
        MaxCount = maxCount;
        _acquisition = new ConsulAcquisition(
            (timeout, cancellationToken) => locks.TryAcquireSemaphoreAsync(name, maxCount, timeout, cancellationToken),
            $"No slot of the Consul semaphore '{name}' (max count {maxCount})");
    }

    public string Name { get; }

    public int MaxCount { get; }

    public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _acquisition.TryAcquire(timeout, cancellationToken);

    public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _acquisition.Acquire(timeout, cancellationToken);

    public ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _acquisition.TryAcquireAsync(timeout, cancellationToken);

    public ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _acquisition.AcquireAsync(timeout, cancellationToken);
}
