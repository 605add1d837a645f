// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// Upper bounds for the durations the library waits in-process. <c>Task.Delay</c> and timers throw for anything
/// above about 24.8 days, so an unbounded setting passes start-up and crashes the background loop (or the shutdown)
/// later; the limits below are far inside that and far above any sensible value (docs/reliability.md lists them).
/// </summary>
internal static class DurationLimits
{
    /// <summary>Retry delays and waits before the first attempt: 10 minutes.</summary>
    public static readonly TimeSpan ShortWait = TimeSpan.FromMinutes(10);

    /// <summary>Backoff ceilings and ejection periods: 1 hour.</summary>
    public static readonly TimeSpan Backoff = TimeSpan.FromHours(1);

    /// <summary>Periodic work (check intervals, TTLs, anti-entropy, idle sweeps): 1 day.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromDays(1);

    /// <summary>Adds a failure naming <paramref name="key"/>, the value and the limit when <paramref name="value"/> exceeds <paramref name="limit"/>.</summary>
    /// <returns><see langword="true"/> when the value is within the limit.</returns>
    public static bool CheckAtMost(string key, TimeSpan value, TimeSpan limit, List<string> failures)
    {
        if (value <= limit)
        {
            return true;
        }

        failures.Add($"{key} '{Format(value)}' is longer than the limit of '{Format(limit)}': the app could never wait that long (Task.Delay stops at about 24.8 days). Use at most '{Format(limit)}'.");
        return false;
    }

    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
