// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// Exponential backoff with "equal jitter", shared by registration retries and discovery watches: the step doubles
/// per consecutive failure up to a cap, and each delay falls uniformly in [half, all] of its step, so clients failing
/// together spread out yet never retry back-to-back.
/// </summary>
internal static class JitteredBackoff
{
    /// <summary>The delay after the <paramref name="attempt"/>-th consecutive failure (1-based); <paramref name="random"/> in [0, 1].</summary>
    public static TimeSpan Delay(int attempt, TimeSpan initial, TimeSpan max, double random)
    {
        var half = Step(attempt, initial, max) / 2;
        return half + (half * Math.Clamp(random, 0, 1));
    }

    /// <summary>The un-jittered step: <paramref name="initial"/> doubled per failure, at most <paramref name="max"/>.</summary>
    public static TimeSpan Step(int attempt, TimeSpan initial, TimeSpan max)
    {
        // Doubling ticks overflows long before the exponent gets large: stop doubling once past the cap.
        var step = initial;
        for (var i = 1; i < attempt && step < max; i++)
        {
            step = step > max / 2 ? max : step * 2;
        }

        return step > max ? max : step;
    }
}
