// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>DistributedLock.Core's lock and semaphore providers on <see cref="IConsulLockProvider"/>.</summary>
internal sealed class ConsulDistributedSynchronizationProvider(IConsulLockProvider locks) : IDistributedLockProvider, IDistributedSemaphoreProvider
{
    public IDistributedLock CreateLock(string name)
    {
        CheckName(name);
        return new ConsulDistributedLock(locks, name);
    }

    public IDistributedSemaphore CreateSemaphore(string name, int maxCount)
    {
        CheckName(name);
        if (maxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, $"The semaphore '{name}' needs a max count of 1 or more (how many holders at once).");
        }

        return new ConsulDistributedSemaphore(locks, name, maxCount);
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The name is the Consul KV key (under Consul:Coordination:Locks:KeyPrefix) and must not be empty or white space.", nameof(name));
        }
    }
}
