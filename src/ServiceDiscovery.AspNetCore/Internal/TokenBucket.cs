// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// A token bucket for one watch's requests: up to <c>burst</c> requests back to back, then one per <c>period</c>.
/// Not thread-safe: each watch loop owns its bucket. Time comes from the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class TokenBucket
{
    /// <summary>
    /// The burst every watch loop gets: enough for the changes of a rolling restart of a few instances (each one
    /// deregistered, registered and turned passing) to be seen as they happen, while a flapping agent still cannot
    /// drive more than one query per <c>MinimumQueryInterval</c> for long.
    /// </summary>
    public const int WatchBurst = 10;

    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _period;
    private readonly int _burst;
    private double _tokens;
    private long _refilled;

    public TokenBucket(TimeProvider timeProvider, int burst, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        _timeProvider = timeProvider;
        _burst = burst;
        _period = period;
        _tokens = burst;
        _refilled = timeProvider.GetTimestamp();
    }

    /// <summary>Takes a token: returns how long to wait before sending (zero when one was available).</summary>
    public TimeSpan Take()
    {
        if (_period <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var now = _timeProvider.GetTimestamp();
        _tokens = Math.Min(_burst, _tokens + (_timeProvider.GetElapsedTime(_refilled, now) / _period));
        _refilled = now;
        _tokens--;
        return _tokens >= 0 ? TimeSpan.Zero : -_tokens * _period;
    }
}
