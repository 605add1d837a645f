// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Consul's rules and etiquette for one loop of blocking queries (docs/consul-http-api.md §8), shared by a name's own
/// loop (<see cref="ServiceQueryLoop"/>) and the datacenter watch's two: which index to send, and how long to wait
/// before sending it. Not thread-safe: each loop owns one.
/// </summary>
/// <remarks>
/// The first query has no index and does not block; each later one blocks on the last index
/// (<see cref="BlockingIndex.Next"/>: reset to 0 when it went backwards, never 0 otherwise). An answer that did not move
/// the index is re-asked with the same index, but not before <see cref="ConsulDiscoveryCacheOptions.MinimumQueryInterval"/>
/// since the previous query was sent, so a server that answers at once without a change cannot cause a request storm.
/// A token bucket allows a burst of <see cref="TokenBucket.WatchBurst"/>, then one query per that interval, so an index
/// that keeps moving (or going backwards) cannot drive a hot loop either. Failures back off exponentially with jitter,
/// and the query after a failure does not block, so recovery is seen at once.
/// </remarks>
internal sealed class BlockingQueryPacing
{
    private readonly TimeProvider _timeProvider;
    private readonly ConsulDiscoveryCacheOptions _options;
    private readonly Func<double> _random;
    private readonly TokenBucket _bucket;
    private TimeSpan _backoff;
    private bool _unmoved;

    /// <param name="timeProvider">Time for the token bucket and the pauses.</param>
    /// <param name="options">The pauses: <c>MinimumQueryInterval</c>, <c>RetryDelay</c>, <c>MaxRetryDelay</c>.</param>
    /// <param name="random">A uniform source in [0, 1] for the jitter of waits and backoff.</param>
    public BlockingQueryPacing(TimeProvider timeProvider, ConsulDiscoveryCacheOptions options, Func<double> random)
    {
        _timeProvider = timeProvider;
        _options = options;
        _random = random;
        _bucket = new TokenBucket(timeProvider, TokenBucket.WatchBurst, options.MinimumQueryInterval);
        LastSent = timeProvider.GetTimestamp();
    }

    /// <summary>The index to send: 0 (an answer at once) first, after a failure, and after the index went backwards.</summary>
    public ulong Index { get; private set; }

    /// <summary>Failed queries in a row.</summary>
    public int Failures { get; private set; }

    /// <summary>When the last query was sent (a <see cref="TimeProvider"/> timestamp; before the first, the creation).</summary>
    public long LastSent { get; private set; }

    /// <summary>
    /// How long to wait before the next query: the backoff after a failure, the rest of the minimum interval after an
    /// answer that did not move the index, or what the token bucket asks, whichever is longest (zero or less: none).
    /// Takes a token: call once per query.
    /// </summary>
    public TimeSpan NextDelay()
    {
        var throttle = _bucket.Take();
        var delay = _unmoved ? _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(LastSent) : _backoff;
        return throttle > delay ? throttle : delay;
    }

    /// <summary>
    /// The <c>wait</c> to send for <paramref name="wait"/>: up to 1/16 shorter, so loops started together do not all
    /// return at the same moment.
    /// </summary>
    public TimeSpan Jitter(TimeSpan wait) => wait - (wait / 16 * (1 - Math.Clamp(_random(), 0, 1)));

    /// <summary>The query is being sent now.</summary>
    public void Sending() => LastSent = _timeProvider.GetTimestamp();

    /// <summary>Whether an answer at <paramref name="lastIndex"/> went backwards from <see cref="Index"/> (the next query starts over).</summary>
    public bool WentBackwards(ulong lastIndex) => BlockingIndex.Next(Index, lastIndex) == 0;

    /// <summary>Whether an answer at <paramref name="lastIndex"/> moved the index (the first answer always does).</summary>
    public bool Advances(ulong lastIndex) => Index == 0 || lastIndex > Index;

    /// <summary>Records an answer at <paramref name="lastIndex"/>, once it was handled.</summary>
    public void Answered(ulong lastIndex)
    {
        _unmoved = !Advances(lastIndex);
        _backoff = TimeSpan.Zero;
        Index = BlockingIndex.Next(Index, lastIndex);
        Failures = 0;
    }

    /// <summary>Records a failed query: the next one backs off, and does not block.</summary>
    public void Failed()
    {
        Failures++;
        Index = 0;
        _unmoved = false;
        _backoff = JitteredBackoff.Delay(Failures, _options.RetryDelay, _options.MaxRetryDelay, _random());
    }
}
