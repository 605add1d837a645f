// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>Jittered exponential backoff between failed Consul queries.</summary>
internal static class RetryBackoff
{
    /// <summary>
    /// The delay before retry number <paramref name="failures"/> (1 for the first): <paramref name="initial"/> doubled
    /// per failure, capped at <paramref name="max"/>, then "equal jitter": half fixed, half random
    /// (<paramref name="random"/> in [0, 1)), so many watchers failing together spread out but never retry back-to-back.
    /// </summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max, double random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ceiling = Math.Min(initial.Ticks * Math.Pow(2, exponent), max.Ticks);
        var half = ceiling / 2;
        return TimeSpan.FromTicks((long)(half + (half * Math.Clamp(random, 0, 1))));
    }
}
