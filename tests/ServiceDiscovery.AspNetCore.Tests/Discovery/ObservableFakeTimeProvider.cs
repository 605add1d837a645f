// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every one-shot timer created (what <c>Task.Delay</c> uses), so a test
/// knows the code under test is parked in a delay, and for how long, before it advances time.
/// </summary>
internal sealed class ObservableFakeTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _delays = Channel.CreateUnbounded<TimeSpan>();

    public ObservableFakeTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan)
        {
            _delays.Writer.TryWrite(dueTime);
        }

        return timer;
    }

    /// <summary>The due time of the next one-shot timer created, waiting for it up to a deadline.</summary>
    public async Task<TimeSpan> NextDelayAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        return await _delays.Reader.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct);
    }

    public bool HasUnobservedDelay => _delays.Reader.TryPeek(out _);
}
