// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records the due time of every timer created on it (<c>Task.Delay</c> on a
/// <see cref="TimeProvider"/> creates one), so a test can wait until code is waiting before advancing the clock, and
/// can assert the delays it chose.
/// </summary>
internal sealed class RecordingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();

    public RecordingTimeProvider()
        : base(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Gets the due times of the timers created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes => [.. _dueTimes];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _dueTimes.Enqueue(dueTime);
        return base.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Waits until a timer with <paramref name="dueTime"/> has been created beyond the first <paramref name="skip"/> ones.</summary>
    public Task WaitForTimerAsync(TimeSpan dueTime, int skip = 0)
        => Eventually.WaitAsync(() => DueTimes.Skip(skip).Contains(dueTime), TimeSpan.FromSeconds(5), $"a timer due in {dueTime}");

    /// <summary>Waits until <paramref name="count"/> timers due within <paramref name="atMost"/> have been created.</summary>
    public Task WaitForShortTimersAsync(TimeSpan atMost, int count)
        => Eventually.WaitAsync(() => DueTimes.Count(d => d <= atMost) >= count, TimeSpan.FromSeconds(5), $"{count} timer(s) due within {atMost}");
}
