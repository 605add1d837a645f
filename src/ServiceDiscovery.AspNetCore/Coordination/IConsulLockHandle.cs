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

    /// <summary>
    /// Whether the lock is still held, judged when read: not lost, and the step-down deadline not passed on the
    /// monotonic clock. A process that was paused (SIGSTOP, a long GC, a frozen VM) past the deadline reads
    /// <see langword="false"/> on its first read after it resumes, and that read fires <see cref="LostToken"/>.
    /// </summary>
    bool IsHeld => !LostToken.IsCancellationRequested;

    /// <summary>
    /// A number that orders the holders of this key: every later acquisition of the same lock, by any process, has a
    /// greater one (it is the Raft index at which Consul recorded the acquisition). Send it with every write done under
    /// the lock and have the resource refuse a token lower than the highest it has seen: a holder that was paused past
    /// its deadline cannot then overwrite the work of the next one. For a semaphore it orders the slots' acquisitions;
    /// several holders are valid at once. Implementations outside this library that do not provide one return 0.
    /// </summary>
    ulong FencingToken => 0;
}
