// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Delays between registration attempts: exponential from <c>RetryInitialDelay</c>, capped at <c>RetryMaxDelay</c>,
/// with "equal jitter" (each delay uniformly in [half, all] of its step) so that a fleet restarted together does
/// not hit a recovering agent in lockstep, while a delay never drops below half its step.
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
        var step = Step(attempt, initial, max);
        var fraction = Math.Clamp(random(), 0, 1);
        return step / 2 + step / 2 * fraction;
    }

    /// <summary>The un-jittered step: <paramref name="initial"/> doubled per failure, at most <paramref name="max"/>.</summary>
    public static TimeSpan Step(int attempt, TimeSpan initial, TimeSpan max)
    {
        // 2^62 ticks overflows long long before the exponent does; stop doubling once past the cap.
        var step = initial;
        for (var i = 1; i < attempt && step < max; i++)
        {
            step = step > max / 2 ? max : step * 2;
        }

        return step > max ? max : step;
    }
}
