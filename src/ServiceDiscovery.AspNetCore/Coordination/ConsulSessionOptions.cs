// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// The Consul session behind a leader election, a lock or a semaphore: how long it lives without renewal, the
/// lock-delay Consul applies when it dies, and how soon this instance gives up a lock it cannot renew.
/// </summary>
public abstract class ConsulSessionOptions
{
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

    /// <summary>The step-down deadline in effect: <see cref="StepDownAfter"/> or two thirds of <see cref="SessionTtl"/>.</summary>
    internal TimeSpan EffectiveStepDownAfter => StepDownAfter ?? SessionTtl * 2 / 3;

    /// <summary>How often the session is renewed: a third of the step-down deadline, so two renewals can fail before it passes.</summary>
    internal TimeSpan RenewInterval => EffectiveStepDownAfter / 3;

    /// <summary>Checks the settings; returns the problems, each naming the setting, the value and the fix.</summary>
    internal IEnumerable<string> Validate(string owner)
    {
        if (SessionTtl < TimeSpan.FromSeconds(10) || SessionTtl > TimeSpan.FromHours(24))
        {
            yield return $"{owner}: SessionTtl is {SessionTtl}; Consul accepts 10 seconds to 24 hours. Set SessionTtl within that range.";
        }

        if (LockDelay < TimeSpan.Zero || LockDelay > TimeSpan.FromSeconds(60))
        {
            yield return $"{owner}: LockDelay is {LockDelay}; Consul accepts 0 to 60 seconds. Set LockDelay within that range.";
        }

        if (StepDownAfter is { } stepDown && (stepDown <= TimeSpan.FromSeconds(1) || stepDown >= SessionTtl))
        {
            yield return $"{owner}: StepDownAfter is {stepDown} with SessionTtl {SessionTtl}; it must be over 1 second and shorter than SessionTtl, or the holder could act after Consul gave the lock away. Lower StepDownAfter or leave it unset (two thirds of SessionTtl).";
        }
    }
}
