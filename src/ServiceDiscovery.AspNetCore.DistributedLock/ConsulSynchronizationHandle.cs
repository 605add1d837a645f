// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;

namespace ServiceDiscovery.AspNetCore.DistributedLock;

/// <summary>
/// A held Consul lock or semaphore slot as DistributedLock.Core's handle: disposing it releases the slot and destroys
/// its session; <see cref="HandleLostToken"/> is the Consul handle's <see cref="IConsulLockHandle.LostToken"/>.
/// </summary>
internal sealed class ConsulSynchronizationHandle(IConsulLockHandle handle) : IDistributedSynchronizationHandle
{
    private int _disposed;

    /// <summary>Gets the Consul handle underneath, with its session and fencing token.</summary>
    public IConsulLockHandle ConsulHandle => handle;

    /// <summary>
    /// Fires when Consul took the lock away, its session is gone or its renewals stopped being confirmed in time;
    /// like DistributedLock.Core's own handles, throws <see cref="ObjectDisposedException"/> once released.
    /// </summary>
    public CancellationToken HandleLostToken
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return handle.LostToken;
        }
    }

    public ValueTask DisposeAsync()
        => Interlocked.Exchange(ref _disposed, 1) == 0 ? handle.DisposeAsync() : ValueTask.CompletedTask;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
#pragma warning disable VSTHRD002 // IDisposable is synchronous by contract; the release runs on the thread pool.
            Task.Run(() => handle.DisposeAsync().AsTask()).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        }
    }
}
