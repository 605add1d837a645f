// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Coordination;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// A holder whose process was paused past its step-down deadline (its clock a <see cref="PausableTimeProvider"/>: the
/// monotonic clock jumps, no timer has run) reports not-leader / not-held at its first read; and fencing tokens grow
/// with every acquisition. Against the test agent or the real Consul of <c>CONSUL_HTTP_ADDR</c>.
/// </summary>
public sealed class PauseAndFencingTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);
    private readonly List<IHost> _hosts = [];
    private ConsulTarget _consul = null!;
    private string _name = null!;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _name = _consul.ServiceName("fenced");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        await _consul.DisposeAsync();
    }

    private async Task<IHost> StartHostAsync(TimeProvider time, Action<IServiceCollection> configure)
    {
        var host = CoordinationHost.Build(_consul, services =>
        {
            services.AddSingleton(time);
            configure(services);
        });
        _hosts.Add(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }

    private async Task<IConsulLeaderElection> StartElectionAsync(TimeProvider time)
    {
        var host = await StartHostAsync(time, services => services.AddConsulLeaderElection(_name, o => (o.SessionTtl, o.LockDelay) = (Ttl, TimeSpan.Zero)));
        return host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_name);
    }

    private async Task<IConsulLockProvider> StartLocksAsync(TimeProvider time)
    {
        var host = await StartHostAsync(time, services => services.AddConsulLocks(o => (o.KeyPrefix, o.SessionTtl, o.LockDelay) = (_name + "/", Ttl, TimeSpan.Zero)));
        return host.Services.GetRequiredService<IConsulLockProvider>();
    }

    [Fact]
    public async Task A_leader_paused_past_its_deadline_is_not_leader_at_its_first_read_and_its_token_is_already_cancelled()
    {
        var clock = new PausableTimeProvider();
        var election = await StartElectionAsync(clock);
        var token = await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(election.IsLeader);
        Assert.True(election.FencingToken > 0);

        clock.Pause(new ConsulLeaderElectionOptions { SessionTtl = Ttl }.EffectiveStepDownAfter);

        // No timer has run since the pause: the read itself must end the term.
        Assert.False(election.IsLeader);
        Assert.True(token.IsCancellationRequested);
        Assert.True(election.LeadershipToken.IsCancellationRequested);
        Assert.Equal(0UL, election.FencingToken);
    }

    [Fact]
    public async Task A_read_while_another_thread_is_still_ending_the_term_reports_not_leader()
    {
        // After SIGCONT the deadline timer and the app's own read race to end the term. Whichever thread ends it first
        // is held inside the loss's log line here, so the other read comes while the loss is under way; it must not
        // see a live term (it did once in CI: the loser of the race returned before the term was cancelled).
        var clock = new PausableTimeProvider();
        using var logs = new BlockingLossLog();
        var host = await StartHostAsync(clock, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddConsulLeaderElection(_name, o => (o.SessionTtl, o.LockDelay) = (Ttl, TimeSpan.Zero));
        });
        var election = host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_name);
        var token = await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        var pausedTerm = election.FencingToken;
        clock.Pause(new ConsulLeaderElectionOptions { SessionTtl = Ttl }.EffectiveStepDownAfter);
        var firstReader = Task.Factory.StartNew(() => election.IsLeader, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(logs.LossEntered.Wait(Deadline, TestContext.Current.CancellationToken), "no thread started logging the loss");

        var isLeader = election.IsLeader;
        var cancelled = token.IsCancellationRequested;
        logs.Release();

        Assert.False(isLeader);
        Assert.True(cancelled);

        // The ended term's session is destroyed meanwhile, so the instance may campaign and lead again before the
        // first reader is let go: a true answer is then a new term, with a greater fencing token.
        var firstAnswer = await firstReader.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(!firstAnswer || election.FencingToken > pausedTerm, $"the first reader saw a leader, in term {election.FencingToken} (paused term {pausedTerm})");
    }

    [Fact]
    public async Task A_lost_token_read_while_another_thread_is_still_logging_the_loss_has_fired()
    {
        var clock = new PausableTimeProvider();
        using var logs = new BlockingLossLog();
        var host = await StartHostAsync(clock, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            services.AddConsulLocks(o => (o.KeyPrefix, o.SessionTtl, o.LockDelay) = (_name + "/", Ttl, TimeSpan.Zero));
        });
        var locks = host.Services.GetRequiredService<IConsulLockProvider>();
        await using var handle = await locks.AcquireAsync("orders", Deadline, TestContext.Current.CancellationToken);

        clock.Pause(new ConsulLockOptions { SessionTtl = Ttl }.EffectiveStepDownAfter);
        var firstReader = Task.Factory.StartNew(() => handle.IsHeld, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.True(logs.LossEntered.Wait(Deadline, TestContext.Current.CancellationToken), "no thread started logging the loss");

        var lost = handle.LostToken.IsCancellationRequested;
        logs.Release();

        Assert.True(lost);
        Assert.False(await firstReader.WaitAsync(Deadline, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_term_token_read_first_after_the_pause_is_already_cancelled()
    {
        var clock = new PausableTimeProvider();
        var election = await StartElectionAsync(clock);
        await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        clock.Pause(new ConsulLeaderElectionOptions { SessionTtl = Ttl }.EffectiveStepDownAfter + TimeSpan.FromSeconds(5));

        Assert.True(election.LeadershipToken.IsCancellationRequested);
    }

    [Fact]
    public async Task A_lock_holder_paused_past_its_deadline_reads_not_held_and_its_lost_token_fires()
    {
        var clock = new PausableTimeProvider();
        var locks = await StartLocksAsync(clock);
        await using var handle = await locks.AcquireAsync("orders", Deadline, TestContext.Current.CancellationToken);
        var lost = handle.LostToken;
        Assert.True(handle.IsHeld);

        clock.Pause(new ConsulLockOptions { SessionTtl = Ttl }.EffectiveStepDownAfter);

        Assert.False(handle.IsHeld);
        Assert.True(lost.IsCancellationRequested);
    }

    [Fact]
    public async Task A_short_pause_keeps_the_lock()
    {
        var clock = new PausableTimeProvider();
        var locks = await StartLocksAsync(clock);
        await using var handle = await locks.AcquireAsync("orders", Deadline, TestContext.Current.CancellationToken);

        clock.Pause(new ConsulLockOptions { SessionTtl = Ttl }.EffectiveStepDownAfter - TimeSpan.FromSeconds(1));

        Assert.True(handle.IsHeld);
        Assert.False(handle.LostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Each_acquisition_of_a_lock_has_a_greater_fencing_token_even_after_the_key_is_deleted()
    {
        var locks = await StartLocksAsync(TimeProvider.System);
        var tokens = new List<ulong>();
        for (var round = 0; round < 3; round++)
        {
            await using (var handle = await locks.AcquireAsync("orders", Deadline, TestContext.Current.CancellationToken))
            {
                tokens.Add(handle.FencingToken);
            }

            if (round == 1)
            {
                // A new key starts its LockIndex again at 1; the fencing token must still grow.
                using var consul = new ConsulOperator(_consul);
                await consul.DeleteAsync(_name + "/orders");
            }
        }

        Assert.All(tokens, t => Assert.True(t > 0));
        Assert.True(tokens[0] < tokens[1] && tokens[1] < tokens[2], $"fencing tokens {string.Join(", ", tokens)} do not grow");
    }

    [Fact]
    public async Task Semaphore_slots_carry_growing_fencing_tokens()
    {
        var locks = await StartLocksAsync(TimeProvider.System);
        await using var first = await locks.AcquireSemaphoreAsync("render", 2, Deadline, TestContext.Current.CancellationToken);
        await using var second = await locks.AcquireSemaphoreAsync("render", 2, Deadline, TestContext.Current.CancellationToken);

        Assert.True(first.FencingToken > 0);
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task The_next_leader_has_a_greater_fencing_token()
    {
        var first = await StartElectionAsync(TimeProvider.System);
        await first.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var firstToken = first.FencingToken;
        var second = await StartElectionAsync(TimeProvider.System);

        await _hosts[0].StopAsync(TestContext.Current.CancellationToken);
        await second.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        Assert.True(second.FencingToken > firstToken, $"the new leader's token {second.FencingToken} is not above {firstToken}");
        Assert.Equal(0UL, first.FencingToken);
    }

    /// <summary>Holds the thread that logs a lease's loss (event 5002) until <see cref="Release"/>, so a test can read while that loss is under way.</summary>
    private sealed class BlockingLossLog : ILoggerProvider, ILogger
    {
        private readonly ManualResetEventSlim _release = new();

        public ManualResetEventSlim LossEntered { get; } = new();

        public void Release() => _release.Set();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 5002 && !_release.IsSet)
            {
                LossEntered.Set();
                _release.Wait(Deadline);
            }
        }

        // The events are not disposed: the host that logs through this provider is stopped after the test body.
        public void Dispose() => _release.Set();
    }
}
