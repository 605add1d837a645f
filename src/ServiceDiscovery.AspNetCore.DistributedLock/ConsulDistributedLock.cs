// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>DistributedLock.Core's lock on the Consul lock at key <see cref="Name"/> (under the configured key prefix).</summary>
internal sealed class ConsulDistributedLock(IConsulLockProvider locks, string name)
    : ConsulSynchronizationPrimitive((timeout, cancellationToken) => locks.TryAcquireAsync(name, timeout, cancellationToken), $"The Consul lock '{name}'"),
      IDistributedLock
{
    public string Name => name;
}
