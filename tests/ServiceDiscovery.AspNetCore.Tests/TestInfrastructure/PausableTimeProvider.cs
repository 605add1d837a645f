// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// A clock as a paused process sees it when it resumes: <see cref="Pause"/> moves the monotonic timestamp (and the
/// wall clock) forward without firing any timer, as after SIGSTOP, a long GC stall or a VM freeze, before the timer
/// thread has had a chance to run. <see cref="FakeTimeProvider.Advance"/> still moves time and fires timers.
/// </summary>
internal sealed class PausableTimeProvider : FakeTimeProvider
{
    private long _paused;

    /// <summary>Moves the clock by <paramref name="length"/> without running any timer callback.</summary>
    public void Pause(TimeSpan length) => Interlocked.Add(ref _paused, length.Ticks);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Volatile.Read(ref _paused));

    /// <summary>The timestamp from <see cref="GetUtcNow"/> alone (the frequency is <see cref="TimeSpan.TicksPerSecond"/>), so the pause counts once whatever the base class derives it from.</summary>
    public override long GetTimestamp() => GetUtcNow().UtcTicks;
}
