// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>DistributedLock.Core's lock on the Consul lock at key <see cref="Name"/> (under the configured key prefix).</summary>
internal sealed class ConsulDistributedLock : IDistributedLock
{
    private readonly ConsulAcquisition _acquisition;

    public ConsulDistributedLock(IConsulLockProvider locks, string name)
    {
        Name = name;
        _acquisition = new ConsulAcquisition(
            (timeout, cancellationToken) => locks.TryAcquireAsync(name, timeout, cancellationToken),
            $"The Consul lock '{name}'");
    }

    public string Name { get; }

    public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _acquisition.TryAcquire(timeout, cancellationToken);

    public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _acquisition.Acquire(timeout, cancellationToken);

    public ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        => _acquisition.TryAcquireAsync(timeout, cancellationToken);

    public ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
        => _acquisition.AcquireAsync(timeout, cancellationToken);
}
