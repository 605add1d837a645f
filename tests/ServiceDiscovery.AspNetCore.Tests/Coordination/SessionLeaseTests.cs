// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDiscovery.AspNetCore.Internal;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Coordination;
using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>The session lease on a fake clock: renewal, the split-brain guard (step down before the TTL), loss and disposal.</summary>
public sealed class SessionLeaseTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>How far <see cref="DriveUntilLost"/> moves the clock at a time: no divisor of any deadline these tests expect.</summary>
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(700);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeConsulSessionApi _sessions = new();
    private readonly ConsulLockOptions _options = new() { SessionTtl = TimeSpan.FromSeconds(15), LockDelay = TimeSpan.FromSeconds(5) };

    private Task<SessionLease> CreateAsync() => SessionLease.CreateAsync(_sessions, _time, NullLogger.Instance, _options, "jobs/nightly", TestContext.Current.CancellationToken);

    /// <summary>Records the fake time at which <paramref name="lease"/> is lost.</summary>
    private StrongBox<DateTimeOffset?> RecordLoss(SessionLease lease)
    {
        var lostAt = new StrongBox<DateTimeOffset?>();
        lease.LostToken.UnsafeRegister(_ => lostAt.Value ??= _time.GetUtcNow(), null);
        return lostAt;
    }

    /// <summary>Moves the clock <see cref="Step"/> at a time until the lease is lost or <paramref name="limit"/> is passed.</summary>
    private void DriveUntilLost(StrongBox<DateTimeOffset?> lostAt, DateTimeOffset limit)
    {
        while (lostAt.Value is null && _time.GetUtcNow() < limit)
        {
            _time.Advance(Step);
        }
    }

    [Fact]
    public async Task Creates_the_session_with_the_ttl_lock_delay_and_release_behaviour()
    {
        await using var lease = await CreateAsync();

        var request = _sessions.Request(lease.Id);
        Assert.Equal(TimeSpan.FromSeconds(15), request.TTL);
        Assert.Equal(TimeSpan.FromSeconds(5), request.LockDelay);
        Assert.Equal("release", request.Behavior);
        Assert.Contains("jobs/nightly", request.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renews_every_third_of_the_step_down_deadline_and_stays_held_while_renewals_succeed()
    {
        await using var lease = await CreateAsync();

        // Step-down deadline 10 s (two thirds of 15 s), renewals every 10/3 s: a minute of fake time is 18 renewals.
        for (var i = 1; i <= 18; i++)
        {
            _time.Advance(_options.RenewInterval);
            await Eventually.WaitAsync(() => _sessions.Renewals >= i, Deadline, $"renewal {i}");
        }

        Assert.False(lease.LostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_failed_renewal_is_followed_by_the_next_and_a_confirmed_one_keeps_the_lease()
    {
        await using var lease = await CreateAsync();
        _sessions.FailRenewals = true;
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 1, Deadline, "first renewal, failing");

        // Consul answers again: renewals go on at the same pace and the lease outlives the first deadline many times over.
        _sessions.FailRenewals = false;
        for (var i = 2; i <= 18; i++)
        {
            _time.Advance(_options.RenewInterval);
            var expected = i;
            await Eventually.WaitAsync(() => _sessions.Renewals >= expected, Deadline, $"renewal {expected}");
        }

        Assert.False(lease.LostToken.IsCancellationRequested);
    }

    [Theory]
    [InlineData(15, null, 10)] // Two thirds of the TTL.
    [InlineData(15, 6, 6)]
    [InlineData(30, null, 20)]
    public async Task Steps_down_at_the_step_down_deadline_when_renewals_fail_before_the_session_can_expire_at_Consul(int ttl, int? stepDownAfter, int expectedSeconds)
    {
        _options.SessionTtl = TimeSpan.FromSeconds(ttl);
        _options.StepDownAfter = stepDownAfter is { } s ? TimeSpan.FromSeconds(s) : null;
        var created = _time.GetUtcNow();
        await using var lease = await CreateAsync();
        var lostAt = RecordLoss(lease);
        _sessions.FailRenewals = true;

        // The clock crosses the whole TTL in steps that do not divide the deadline: the lease alone decides when it steps down.
        DriveUntilLost(lostAt, created + TimeSpan.FromSeconds(ttl));

        var expected = TimeSpan.FromSeconds(expectedSeconds);
        Assert.True(lostAt.Value is not null, $"still held {ttl} s after the last confirmed renewal; Consul may have given the lock away");
        Assert.InRange(lostAt.Value.Value - created, expected, expected + Step - TimeSpan.FromTicks(1));
        Assert.True(lostAt.Value.Value - created < TimeSpan.FromSeconds(ttl));
        Assert.Contains("deadline", lease.LostReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_renewal_Consul_answers_seconds_late_keeps_the_lease_until_its_send_time_plus_the_step_down_deadline()
    {
        await using var lease = await CreateAsync();
        var lostAt = RecordLoss(lease);

        // The first renewal is sent at RenewInterval and Consul confirms it 3 s later; every later renewal fails.
        var answer = _sessions.HoldNextRenewal();
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 1, Deadline, "first renewal sent");
        var sentAt = _time.GetUtcNow();
        _sessions.FailRenewals = true;
        _time.Advance(TimeSpan.FromSeconds(3));
        var before = lease.ConfirmedSentAt;
        answer.SetResult();
        await Eventually.WaitAsync(() => lease.ConfirmedSentAt != before, Deadline, "the late confirmation taken in");

        // The lease renews one renewal at a time: the second one is sent only once the first answer was taken in.
        _time.Advance(_options.RenewInterval - TimeSpan.FromSeconds(3));
        await Eventually.WaitAsync(() => _sessions.Renewals >= 2, Deadline, "second renewal sent");
        DriveUntilLost(lostAt, sentAt + TimeSpan.FromMinutes(1));

        // Consul keeps the session a TTL from when it received the renewal, which may be as early as its send time.
        Assert.True(lostAt.Value is not null, "never stepped down");
        Assert.InRange(lostAt.Value.Value - sentAt, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10) + Step - TimeSpan.FromTicks(1));
    }

    [Fact]
    public async Task A_renewal_answered_404_loses_the_lease_at_once()
    {
        await using var lease = await CreateAsync();
        _sessions.Invalidate(lease.Id);

        _time.Advance(_options.RenewInterval);

        await Eventually.WaitAsync(() => lease.LostToken.IsCancellationRequested, Deadline, "lease lost after a 404 renewal");
        Assert.Contains("404", lease.LostReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_fires_the_token_stops_renewing_and_destroys_the_session()
    {
        var lease = await CreateAsync();

        await lease.DisposeAsync();

        Assert.True(lease.LostToken.IsCancellationRequested);
        Assert.Equal([lease.Id], _sessions.Destroyed);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _sessions.Renewals);
    }

    [Fact]
    public async Task A_read_after_a_pause_past_the_deadline_reports_the_lease_lost_before_any_timer_fires()
    {
        var clock = new PausableTimeProvider();
        await using var lease = await SessionLease.CreateAsync(_sessions, clock, NullLogger.Instance, _options, "jobs/nightly", TestContext.Current.CancellationToken);
        Assert.True(lease.IsHeld);

        // The process is stopped for longer than the step-down deadline: the monotonic clock moved, no timer has run.
        clock.Pause(_options.EffectiveStepDownAfter + TimeSpan.FromSeconds(1));

        // The first read decides, and fires the token on the reader's thread.
        Assert.False(lease.IsHeld);
        Assert.True(lease.LostToken.IsCancellationRequested);
        Assert.Contains("deadline", lease.LostReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_token_read_after_a_pause_past_the_deadline_is_already_cancelled()
    {
        var clock = new PausableTimeProvider();
        await using var lease = await SessionLease.CreateAsync(_sessions, clock, NullLogger.Instance, _options, "jobs/nightly", TestContext.Current.CancellationToken);

        clock.Pause(_options.EffectiveStepDownAfter);

        Assert.True(lease.LostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_pause_shorter_than_the_deadline_keeps_the_lease()
    {
        var clock = new PausableTimeProvider();
        await using var lease = await SessionLease.CreateAsync(_sessions, clock, NullLogger.Instance, _options, "jobs/nightly", TestContext.Current.CancellationToken);

        clock.Pause(_options.EffectiveStepDownAfter - TimeSpan.FromMilliseconds(1));

        Assert.True(lease.IsHeld);
        Assert.False(lease.LostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_renewal_that_hangs_is_abandoned_after_the_renewal_period_so_the_next_one_keeps_the_lease()
    {
        await using var lease = await CreateAsync();
        var lostAt = RecordLoss(lease);

        // The first renewal never gets an answer (a dead connection the client would wait on for its whole timeout).
        _sessions.HoldNextRenewal();
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 1, Deadline, "first renewal sent");

        // Later renewals are answered: they go out on schedule, and the lease outlives the step-down deadline.
        for (var i = 2; i <= 9; i++)
        {
            _time.Advance(_options.RenewInterval);
            var expected = i;
            await Eventually.WaitAsync(() => _sessions.Renewals >= expected, Deadline, $"renewal {expected} sent while the first hangs");
        }

        Assert.True(_time.GetUtcNow() - _time.Start > _options.EffectiveStepDownAfter * 2);
        Assert.Null(lostAt.Value);
        Assert.True(lease.IsHeld);
    }

    [Theory]
    [InlineData(5, 15, null, "SessionTtl is 00:00:05")]
    [InlineData(15, 90, null, "LockDelay is 00:01:30")]
    [InlineData(15, 15, 15, "StepDownAfter is 00:00:15")]
    public void Validation_names_the_setting_the_value_and_the_fix(int ttl, int lockDelay, int? stepDown, string expected)
    {
        var options = new ConsulLeaderElectionOptions
        {
            SessionTtl = TimeSpan.FromSeconds(ttl),
            LockDelay = TimeSpan.FromSeconds(lockDelay),
            StepDownAfter = stepDown is { } s ? TimeSpan.FromSeconds(s) : null,
        };

        var result = new ConsulSessionOptionsValidator<ConsulLeaderElectionOptions>(new ConsulOptionsSection(null)).Validate("nightly-report", options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Leader election 'nightly-report' (Consul:Coordination:Elections:nightly-report)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Set ", result.FailureMessage.Replace("Lower ", "Set ", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
