// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>DistributedLock.Core's semaphore on the Consul semaphore at prefix <see cref="Name"/> with <see cref="MaxCount"/> slots.</summary>
internal sealed class ConsulDistributedSemaphore(IConsulLockProvider locks, string name, int maxCount)
    : ConsulSynchronizationPrimitive(
        (timeout, cancellationToken) => locks.TryAcquireSemaphoreAsync(name, maxCount, timeout, cancellationToken),
        $"No slot of the Consul semaphore '{name}' (max count {maxCount})"),
      IDistributedSemaphore
{
    public string Name => name;

    public int MaxCount => maxCount;
}
