// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// The campaign loop of one election: create a session, wait for the key (<see cref="KeyLockRecipe"/>), lead until
/// the lease is lost or the host stops, step down (the term token fires first), release, and campaign again.
/// </summary>
internal sealed partial class ConsulLeaderElection : BackgroundService, IConsulLeaderElection
{
    /// <summary>The first retry after a failed campaign; doubled per consecutive failure (with jitter) up to <see cref="MaxFailureRetry"/>.</summary>
    internal static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between failed campaigns.</summary>
    internal static readonly TimeSpan MaxFailureRetry = TimeSpan.FromMinutes(1);
    private readonly IConsulSessionApi _sessions;
    private readonly IConsulKeyValueApi _kv;
    private readonly ConsulLeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly CoordinationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[] _value;
    private readonly Func<double> _random;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly CancellationTokenSource _resign = new();
    private CancellationTokenRegistration _onStopping;
    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _nextTerm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _term;
    private SessionLease? _leadingLease;
    private ulong _fencingToken;
    private int _failures;

    public ConsulLeaderElection(string name, IConsulSessionApi sessions, IConsulKeyValueApi kv, ConsulLeaderElectionOptions options, TimeProvider time, CoordinationMetrics metrics, ILogger<ConsulLeaderElection> logger, IHostApplicationLifetime? lifetime = null, Func<double>? random = null)
    {
        Name = name;
        Key = options.Key ?? "service/leader/" + name;
        _sessions = sessions;
        _kv = kv;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        _lifetime = lifetime;
        _value = Encoding.UTF8.GetBytes(options.Value ?? Environment.MachineName + ":" + Environment.ProcessId);
        _term = new CancellationTokenSource();
        _term.Cancel();
    }

    public event EventHandler<ConsulLeadershipChangedEventArgs>? LeadershipChanged;

    public string Name { get; }

    public string Key { get; }

    public bool IsLeader => !LeadershipToken.IsCancellationRequested;

    public CancellationToken LeadershipToken
    {
        get
        {
            EndOverdueTerm();
            lock (_gate)
            {
                return _term.Token;
            }
        }
    }

    public ulong FencingToken
    {
        get
        {
            EndOverdueTerm();
            lock (_gate)
            {
                return _term.IsCancellationRequested ? 0 : _fencingToken;
            }
        }
    }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        EndOverdueTerm();
        lock (_gate)
        {
            return _term.IsCancellationRequested ? _nextTerm.Task.WaitAsync(cancellationToken) : Task.FromResult(_term.Token);
        }
    }

    /// <summary>
    /// Checks the current term's step-down deadline on the monotonic clock: a term whose deadline has passed ends here
    /// (the lease is lost, which cancels the term's token on this thread), whether or not the deadline timer has run.
    /// Outside <see cref="_gate"/>, so callbacks on the token never run under it.
    /// </summary>
    private void EndOverdueTerm()
    {
        SessionLease? lease;
        CancellationTokenSource term;
        lock (_gate)
        {
            (lease, term) = (_leadingLease, _term);
        }

        if (lease is null || lease.IsHeld)
        {
            return;
        }

        // The term is linked to the lease's token, but when another thread (the deadline timer) is the one firing that
        // token, the term's cancellation runs in its callbacks on that thread and may not have happened yet: cancel the
        // term here too, so this read never returns a live term after the deadline.
        try
        {
            term.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // A later term replaced it meanwhile (and disposed it only after it had ended).
        }
    }

    /// <summary>Whether the campaign loop runs (started, and not ended by the host stopping or a fault).</summary>
    internal bool IsRunning => ExecuteTask is { IsCompleted: false };

    /// <summary>How many campaigns in a row failed talking to Consul (0 once one succeeds).</summary>
    internal int ConsecutiveFailures => Volatile.Read(ref _failures);

    /// <summary>The error of the last failed campaign, while <see cref="ConsecutiveFailures"/> is above 0.</summary>
    internal string? LastError { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The leader's work stops when shutdown starts, so leadership is handed over then: not after the HTTP drain
        // (registration's DrainDelay) and the other hosted services' StopAsync.
        _onStopping = _lifetime?.ApplicationStopping.Register(static state => ((ConsulLeaderElection)state!).Resign(), this) ?? default;
        return base.StartAsync(cancellationToken);
    }

    private void Resign()
    {
        try
        {
            _resign.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to resign from.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, _resign.Token);
        var stoppingToken = stopping.Token;
        while (!stoppingToken.IsCancellationRequested)
        {
            SessionLease? lease = null;
            try
            {
                var started = _time.GetTimestamp();
                lease = await SessionLease.CreateAsync(_sessions, _time, _logger, _options, Key, stoppingToken).ConfigureAwait(false);
                ulong fencingToken;
                using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.LostToken))
                {
                    // Without a give-up token the recipe waits until it holds the key (or the attempt is cancelled).
                    fencingToken = (await KeyLockRecipe.AcquireAsync(_kv, _time, lease.Id, Key, _value, CancellationToken.None, attempt.Token).ConfigureAwait(false)).GetValueOrDefault();
                }

                _metrics.Acquire("leader", "acquired", _time.GetElapsedTime(started));
                Interlocked.Exchange(ref _failures, 0);
                LastError = null;
                await LeadAsync(lease, fencingToken, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || lease?.LostToken.IsCancellationRequested == true)
            {
                // Stopping, or the lease was lost while campaigning: start over (or end) below.
            }
            catch (ConsulException ex)
            {
                // Like every other loop: back off while Consul keeps failing (a 403 does not heal by itself).
                var failures = Interlocked.Increment(ref _failures);
                var delay = JitteredBackoff.Delay(failures, FailureRetry, MaxFailureRetry, _random());
                if (ex.StatusCode == HttpStatusCode.Forbidden)
                {
                    Log.CampaignDenied(_logger, Name, Key, failures, delay, ex.ResponseBody ?? ex.Message);
                }
                else
                {
                    Log.CampaignFailed(_logger, Name, Key, delay, ex.Message);
                }

                LastError = ex.Message;
                await DelayQuietlyAsync(delay, stoppingToken).ConfigureAwait(false);
            }
            finally
            {
                if (lease is not null)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Leads until the lease is lost or the host stops; then ends the term before releasing the key.</summary>
    private async Task LeadAsync(SessionLease lease, ulong fencingToken, CancellationToken stoppingToken)
    {
        var termStarted = _time.GetTimestamp();
        var term = CancellationTokenSource.CreateLinkedTokenSource(lease.LostToken);
        TaskCompletionSource<CancellationToken> waiters;
        lock (_gate)
        {
            _term.Dispose();
            _term = term;
            _leadingLease = lease;
            _fencingToken = fencingToken;
            waiters = _nextTerm;
            _nextTerm = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Log.BecameLeader(_logger, Name, Key, lease.Id, fencingToken);
        _metrics.LeadershipChanged(Name, isLeader: true);
        waiters.TrySetResult(term.Token);
        LeadershipChanged?.Invoke(this, new ConsulLeadershipChangedEventArgs(true, lease.Id));

        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.LostToken);
        await KeyLockRecipe.WatchAsync(_kv, _time, lease, Key, watchStop.Token).ConfigureAwait(false);

        // The term ends before anything is released, so work bound to the token stops first.
        await term.CancelAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _leadingLease = null;
        }

        var termLength = _time.GetElapsedTime(termStarted);
        Log.SteppedDown(_logger, Name, Key, lease.Id, termLength);
        _metrics.LeadershipChanged(Name, isLeader: false);
        _metrics.TermEnded(Name, termLength);
        LeadershipChanged?.Invoke(this, new ConsulLeadershipChangedEventArgs(false, lease.Id));
        if (!lease.LostToken.IsCancellationRequested)
        {
            lease.Retire();
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
                await _kv.ReleaseKeyAsync(Key, _value, lease.Id, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ConsulException or OperationCanceledException)
            {
                Log.ReleaseFailed(_logger, Name, Key, lease.Id, ex.Message);
            }
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _onStopping.Dispose();
        lock (_gate)
        {
            _term.Dispose();
        }

        _resign.Dispose();

        base.Dispose();
    }
}
