// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// A held Consul lock or semaphore slot. Disposing it releases the slot at once (no lock-delay for the next holder)
/// and destroys its session.
/// </summary>
public interface IConsulLockHandle : IAsyncDisposable
{
    /// <summary>The lock key, or the semaphore prefix, including <see cref="ConsulLockOptions.KeyPrefix"/>.</summary>
    string Key { get; }

    /// <summary>The Consul session that holds it.</summary>
    string SessionId { get; }

    /// <summary>
    /// Fires when the lock can no longer be trusted: Consul took it away, the session is gone, or no renewal has been
    /// confirmed within <see cref="ConsulSessionOptions.StepDownAfter"/> (which is shorter than the session TTL, so this
    /// fires before Consul could give the lock to another holder). Also fires when the handle is disposed.
    /// </summary>
    CancellationToken LostToken { get; }
}
