// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

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
    private readonly FakeTimeProvider _time = new();
    private readonly FakeConsulSessionApi _sessions = new();
    private readonly ConsulLockOptions _options = new() { SessionTtl = TimeSpan.FromSeconds(15), LockDelay = TimeSpan.FromSeconds(5) };

    private Task<SessionLease> CreateAsync() => SessionLease.CreateAsync(_sessions, _time, NullLogger.Instance, _options, "jobs/nightly", TestContext.Current.CancellationToken);

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
    public async Task Steps_down_when_renewals_fail_before_the_session_can_expire_at_Consul()
    {
        await using var lease = await CreateAsync();
        _sessions.FailRenewals = true;

        // Just before the step-down deadline (two thirds of the TTL) the lease is still trusted...
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 1, Deadline, "first failing renewal");
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 2, Deadline, "second failing renewal");
        _time.Advance(_options.EffectiveStepDownAfter - (2 * _options.RenewInterval) - TimeSpan.FromMilliseconds(1));
        Assert.False(lease.LostToken.IsCancellationRequested);

        // ...and at the deadline it is lost: 10 s after the last confirmed renewal, 5 s before Consul may expire it.
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(lease.LostToken.IsCancellationRequested);
        Assert.True(_time.GetUtcNow() - _time.Start < _options.SessionTtl);
        Assert.Contains("deadline", lease.LostReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_successful_renewal_moves_the_deadline_to_its_send_time()
    {
        await using var lease = await CreateAsync();
        _time.Advance(_options.RenewInterval);
        await Eventually.WaitAsync(() => _sessions.Renewals >= 1, Deadline, "first renewal");
        _sessions.FailRenewals = true;

        // The deadline now counts from the renewal sent at RenewInterval, not from creation.
        _time.Advance(_options.EffectiveStepDownAfter - TimeSpan.FromMilliseconds(1));
        Assert.False(lease.LostToken.IsCancellationRequested);
        _time.Advance(_options.RenewInterval);
        Assert.True(lease.LostToken.IsCancellationRequested);
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
