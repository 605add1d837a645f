// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Delays between registration attempts (<see cref="JitteredBackoff"/> from <c>RetryInitialDelay</c> up to
/// <c>RetryMaxDelay</c>), so that a fleet restarted together does not hit a recovering agent in lockstep.
/// </summary>
/// <param name="random">A uniform source in [0, 1); tests pass a fixed one to check the schedule.</param>
internal sealed class RegistrationBackoff(Func<double> random)
{
    /// <summary>The process-wide default, jittered with <see cref="Random.Shared"/>.</summary>
    public RegistrationBackoff()
        : this(static () => Random.Shared.NextDouble())
    {
    }

    /// <summary>The delay after the <paramref name="attempt"/>-th consecutive failure (1-based).</summary>
    public TimeSpan NextDelay(int attempt, TimeSpan initial, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        return JitteredBackoff.Delay(attempt, initial, max, random());
    }
}
