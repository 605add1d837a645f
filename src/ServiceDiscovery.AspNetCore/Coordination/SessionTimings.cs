// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// What the session settings imply: the step-down deadline, the renewal period, and the rules Consul puts on them. Kept
/// out of <see cref="ConsulSessionOptions"/> so the public options type holds settings only.
/// </summary>
internal static class SessionTimings
{
    extension(ConsulSessionOptions options)
    {
        /// <summary>The step-down deadline in effect: <see cref="ConsulSessionOptions.StepDownAfter"/> or two thirds of the TTL.</summary>
        public TimeSpan EffectiveStepDownAfter => options.StepDownAfter ?? options.SessionTtl * 2 / 3;

        /// <summary>How often the session is renewed: a third of the step-down deadline, so two renewals can fail before it passes.</summary>
        public TimeSpan RenewInterval => options.EffectiveStepDownAfter / 3;

        /// <summary>Checks the settings; returns the problems, each naming the setting, the value and the fix.</summary>
        public IEnumerable<string> Validate(string owner)
        {
            if (options.SessionTtl < TimeSpan.FromSeconds(10) || options.SessionTtl > TimeSpan.FromHours(24))
            {
                yield return $"{owner}: SessionTtl is {options.SessionTtl}; Consul accepts 10 seconds to 24 hours. Set SessionTtl within that range.";
            }

            if (options.LockDelay < TimeSpan.Zero || options.LockDelay > TimeSpan.FromSeconds(60))
            {
                yield return $"{owner}: LockDelay is {options.LockDelay}; Consul accepts 0 to 60 seconds. Set LockDelay within that range.";
            }

            if (options.StepDownAfter is { } stepDown && (stepDown <= TimeSpan.FromSeconds(1) || stepDown >= options.SessionTtl))
            {
                yield return $"{owner}: StepDownAfter is {stepDown} with SessionTtl {options.SessionTtl}; it must be over 1 second and shorter than SessionTtl, or the holder could act after Consul gave the lock away. Lower StepDownAfter or leave it unset (two thirds of SessionTtl).";
            }
        }
    }
}
