// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Coordination;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// Leaders that fail, on the test agent with a fake clock (its session TTL timers, lock-delays and blocking waits run
/// on it): a leader killed without releasing is replaced after TTL × 2 + lock-delay and not before; a leader that
/// cannot reach Consul steps down before its session can expire there.
/// </summary>
public sealed class LeaderFailureIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LockDelay = TimeSpan.FromSeconds(5);
    private readonly FakeTimeProvider _clock = new();
    private readonly List<IHost> _hosts = [];
    private readonly StuckRequests _stuck = new();
    private ConsulTarget _consul = null!;
    private ConsulTestAgent _agent = null!;
    private const string Election = "nightly-report";

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync(new ConsulTestAgentOptions { TimeProvider = _clock });
        _agent = _consul.RequireTestAgent("drives session TTLs and lock-delays with a fake clock");
    }

    public async ValueTask DisposeAsync()
    {
        _agent?.Resume();
        _stuck.Release();
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        await _consul.DisposeAsync();
    }

    private async Task<IConsulLeaderElection> StartAsync(TimeProvider time, Func<DelegatingHandler>? handler = null)
    {
        var host = CoordinationHost.Build(_consul, services =>
        {
            services.AddSingleton(time);
            services.AddConsulLeaderElection(Election, o => (o.SessionTtl, o.LockDelay) = (Ttl, LockDelay));
            if (handler is not null)
            {
                services.AddHttpClient(ConsulApiClient.HttpClientName).AddHttpMessageHandler(handler);
            }
        });
        _hosts.Add(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host.Services.GetRequiredKeyedService<IConsulLeaderElection>(Election);
    }

    private async Task<string?> HolderAsync()
    {
        using var consul = new ConsulOperator(_consul);
        return (await consul.GetAsync("service/leader/" + Election))?.Session;
    }

    [Fact]
    public async Task A_leader_killed_without_release_is_replaced_after_twice_the_ttl_plus_the_lock_delay_and_not_before()
    {
        // The leader runs on the real clock: once killed, nothing it does reaches Consul (its requests fail in its own
        // process). The follower shares the agent's fake clock, so its renewals keep pace with the jumps below.
        var kill = new KillSwitch();
        var leader = await StartAsync(TimeProvider.System, () => new KillSwitchHandler(kill));
        await leader.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var follower = await StartAsync(_clock);
        var acquires = () => _agent.CountRequests("/v1/kv/service/leader/" + Election, "PUT");
        await Eventually.WaitAsync(() => acquires() >= 2, Deadline, "the follower tried the key");
        kill.Killed = true;
        var killedAt = _clock.GetUtcNow(); // The leader's last renewal reached the agent at or before this instant.
        var takeoverEarliest = killedAt + (Ttl * 2) + LockDelay;

        // Step the clock a renewal interval at a time, each step waiting for the follower's renewal to be answered.
        var step = new ConsulLeaderElectionOptions { SessionTtl = Ttl }.RenewInterval;
        var renewals = _agent.CountRequests("/v1/session/renew/"); // The leader's, until it was killed.
        while (_clock.GetUtcNow() + step < takeoverEarliest)
        {
            _clock.Advance(step);
            renewals++;
            await Eventually.WaitAsync(() => _agent.CountRequests("/v1/session/renew/") >= renewals, Deadline, $"follower renewal {renewals}");
        }

        // The last step before the takeover: the session is gone, the key free but in its lock-delay. The follower
        // tries it (and is refused) before the assertion, so a missing lock-delay would show here.
        Assert.True(_clock.GetUtcNow() > killedAt + (Ttl * 2), "the step loop passed the session's expiry");
        Assert.Null(await HolderAsync());
        var triedBefore = acquires();
        await Eventually.WaitAsync(() => acquires() > triedBefore || !Pump(takeoverEarliest), Deadline, "the follower retried during the lock-delay");
        Assert.True(acquires() > triedBefore, "the follower did not retry during the lock-delay");
        Assert.False(follower.IsLeader, "the follower led inside the lock-delay");
        Assert.Null(await HolderAsync());

        _clock.Advance(takeoverEarliest - _clock.GetUtcNow());
        await Eventually.WaitAsync(
            () =>
            {
                if (follower.IsLeader)
                {
                    return true;
                }

                Pump(DateTimeOffset.MaxValue); // The follower polls the key on the fake clock.
                return false;
            },
            Deadline,
            "the follower leads after the lock-delay");
        Assert.True(_clock.GetUtcNow() >= takeoverEarliest);

        // Promptly: a follower that waited on a blocking read of the unchanged key would lead only after its wait (a minute).
        Assert.True(_clock.GetUtcNow() < takeoverEarliest + TimeSpan.FromSeconds(5), $"took over {_clock.GetUtcNow() - takeoverEarliest} after the lock-delay ended");
        Assert.NotNull(await HolderAsync());
    }

    [Fact]
    public async Task A_leader_that_cannot_reach_Consul_steps_down_before_its_session_can_expire()
    {
        var leader = await StartAsync(_clock);
        await leader.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var lastRenewalAt = _clock.GetUtcNow(); // The session was created (or last renewed) at or before this instant.
        DateTimeOffset? steppedDownAt = null;
        using var registration = leader.LeadershipToken.Register(() => steppedDownAt = _clock.GetUtcNow());

        // Consul stops answering: renewals hang. Step through the TTL a renewal interval at a time.
        _agent.Pause();
        var step = new ConsulLeaderElectionOptions { SessionTtl = Ttl }.RenewInterval;
        while (steppedDownAt is null && _clock.GetUtcNow() - lastRenewalAt < Ttl)
        {
            _clock.Advance(step);
            if (_clock.GetUtcNow() - lastRenewalAt >= new ConsulLeaderElectionOptions { SessionTtl = Ttl }.EffectiveStepDownAfter)
            {
                await Eventually.WaitAsync(() => steppedDownAt is not null, Deadline, "the leader stepped down");
            }
        }

        Assert.NotNull(steppedDownAt);
        Assert.True(steppedDownAt - lastRenewalAt < Ttl, $"stepped down {steppedDownAt - lastRenewalAt} after the last renewal; Consul may invalidate the session after {Ttl}");
        Assert.False(leader.IsLeader);
    }

    [Fact]
    public async Task The_leadership_token_fires_the_moment_the_lease_is_lost_even_while_the_key_watch_hangs()
    {
        var leader = await StartAsync(_clock, () => new StuckRequestsHandler(_stuck));
        var term = await leader.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var sessionCreatedBy = _clock.GetUtcNow(); // The clock has not moved: the session was created at this instant.
        await Eventually.WaitAsync(() => _stuck.HeldReads >= 1, Deadline, "the leader's key watch hangs");

        // Renewals fail from now on; the watch's request hangs and ignores cancellation, as one on a dead connection can.
        _stuck.FailRenewals = true;
        var options = new ConsulLeaderElectionOptions { SessionTtl = Ttl };
        for (var renewal = 1; _clock.GetUtcNow() + options.RenewInterval < sessionCreatedBy + options.EffectiveStepDownAfter; renewal++)
        {
            _clock.Advance(options.RenewInterval);
            var expected = renewal;
            await Eventually.WaitAsync(() => _stuck.FailedRenewals >= expected, Deadline, $"failed renewal {expected}");
        }

        _clock.Advance(sessionCreatedBy + options.EffectiveStepDownAfter - _clock.GetUtcNow() - TimeSpan.FromTicks(1));
        Assert.True(leader.IsLeader, "stepped down before the step-down deadline");

        // The deadline passes: no waiting for the watch, the term has ended by the time the clock has moved.
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.True(term.IsCancellationRequested, "the term's token did not fire when the lease was lost");
        Assert.False(leader.IsLeader);
        Assert.Equal(1, _stuck.HeldReads);
    }

    /// <summary>Moves the clock one lock-delay poll forward unless that would reach <paramref name="limit"/>; false when it did not.</summary>
    private bool Pump(DateTimeOffset limit)
    {
        if (_clock.GetUtcNow() + KeyLockRecipeRetry >= limit)
        {
            return false;
        }

        _clock.Advance(KeyLockRecipeRetry);
        return true;
    }

    /// <summary>The follower's lock-delay poll interval, plus a tick so the timer is due.</summary>
    private static TimeSpan KeyLockRecipeRetry => ServiceDiscovery.AspNetCore.Coordination.KeyLockRecipe.LockDelayRetry + TimeSpan.FromMilliseconds(1);

    /// <summary>What <see cref="StuckRequestsHandler"/> does, shared with the test.</summary>
    private sealed class StuckRequests
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _heldReads;
        private int _failedRenewals;

        /// <summary>Fails every session renewal once set, as if Consul could not be reached.</summary>
        public volatile bool FailRenewals;

        public int HeldReads => Volatile.Read(ref _heldReads);

        public int FailedRenewals => Volatile.Read(ref _failedRenewals);

        public Task Released => _released.Task;

        public void CountHeldRead() => Interlocked.Increment(ref _heldReads);

        public void CountFailedRenewal() => Interlocked.Increment(ref _failedRenewals);

        /// <summary>Ends the held reads (each fails as a dropped connection), so the host can stop.</summary>
        public void Release() => _released.TrySetResult();
    }

    /// <summary>
    /// Holds every blocking KV read (one with an <c>index</c>) until the test ends, deaf to its cancellation, and fails
    /// session renewals on request: the key watch hangs while the lease runs out.
    /// </summary>
    private sealed class StuckRequestsHandler(StuckRequests stuck) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (stuck.FailRenewals && uri.AbsolutePath.StartsWith("/v1/session/renew/", StringComparison.Ordinal))
            {
                stuck.CountFailedRenewal();
                throw new HttpRequestException("Consul cannot be reached");
            }

            if (request.Method == HttpMethod.Get && uri.AbsolutePath.StartsWith("/v1/kv/", StringComparison.Ordinal) && uri.Query.Contains("index=", StringComparison.Ordinal))
            {
                stuck.CountHeldRead();
                await stuck.Released.ConfigureAwait(false);
                throw new HttpRequestException("the connection was dropped");
            }

            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class KillSwitch
    {
        public volatile bool Killed;
    }

    /// <summary>Fails every request once killed, as if the process had died: nothing more reaches Consul from it.</summary>
    private sealed class KillSwitchHandler(KillSwitch kill) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => kill.Killed ? throw new HttpRequestException("the instance was killed") : base.SendAsync(request, cancellationToken);
    }
}
