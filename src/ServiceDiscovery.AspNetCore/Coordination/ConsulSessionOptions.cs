// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// The Consul session behind a leader election, a lock or a semaphore: how long it lives without renewal, the
/// lock-delay Consul applies when it dies, and how soon this instance gives up a lock it cannot renew.
/// </summary>
/// <remarks>Only this library derives from it: <see cref="ConsulLockOptions"/> and <see cref="ConsulLeaderElectionOptions"/>.</remarks>
public abstract class ConsulSessionOptions
{
    // Not a public constructor: the session settings are part of two sealed options types, not an extension point.
    private protected ConsulSessionOptions()
    {
    }

    /// <summary>The session's TTL (10 s to 24 h). Default 15 s. Consul invalidates a session it has not heard from for somewhere between one and two TTLs.</summary>
    public TimeSpan SessionTtl { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long Consul refuses the lock to anyone after the session dies without releasing it (0 to 60 s). Default 15 s:
    /// the time a stalled holder has to notice it lost the lock before another one takes it.
    /// </summary>
    public TimeSpan LockDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after the last renewal Consul confirmed (measured from when that renewal was sent) this instance keeps
    /// the lock without another confirmed renewal. Must be shorter than <see cref="SessionTtl"/>, so the holder steps
    /// down (and its token fires) before Consul can hand the lock to someone else. Default: two thirds of the TTL.
    /// </summary>
    public TimeSpan? StepDownAfter { get; set; }
}
