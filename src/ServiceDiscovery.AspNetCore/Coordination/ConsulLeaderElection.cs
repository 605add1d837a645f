// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// The campaign loop of one election: create a session, wait for the key (<see cref="KeyLockRecipe"/>), lead until
/// the lease is lost or the host stops, step down (the term token fires first), release, and campaign again.
/// </summary>
internal sealed partial class ConsulLeaderElection : BackgroundService, IConsulLeaderElection
{
    private static readonly TimeSpan FailureRetry = TimeSpan.FromSeconds(2);
    private readonly IConsulSessionApi _sessions;
    private readonly IConsulKeyValueApi _kv;
    private readonly ConsulLeaderElectionOptions _options;
    private readonly TimeProvider _time;
    private readonly CoordinationMetrics _metrics;
    private readonly ILogger _logger;
    private readonly byte[] _value;
    private readonly object _gate = new();
    private TaskCompletionSource<CancellationToken> _nextTerm = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _term;

    public ConsulLeaderElection(string name, IConsulSessionApi sessions, IConsulKeyValueApi kv, ConsulLeaderElectionOptions options, TimeProvider time, CoordinationMetrics metrics, ILogger<ConsulLeaderElection> logger)
    {
        Name = name;
        Key = options.Key ?? "service/leader/" + name;
        _sessions = sessions;
        _kv = kv;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
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
            lock (_gate)
            {
                return _term.Token;
            }
        }
    }

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _term.IsCancellationRequested ? _nextTerm.Task.WaitAsync(cancellationToken) : Task.FromResult(_term.Token);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            SessionLease? lease = null;
            try
            {
                var started = _time.GetTimestamp();
                lease = await SessionLease.CreateAsync(_sessions, _time, _logger, _options, Key, stoppingToken).ConfigureAwait(false);
                using (var attempt = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.LostToken))
                {
                    await KeyLockRecipe.AcquireAsync(_kv, _time, lease.Id, Key, _value, attempt.Token).ConfigureAwait(false);
                }

                _metrics.Acquire("leader", "acquired", _time.GetElapsedTime(started));
                await LeadAsync(lease, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested || lease?.LostToken.IsCancellationRequested == true)
            {
                // Stopping, or the lease was lost while campaigning: start over (or end) below.
            }
            catch (ConsulException ex)
            {
                Log.CampaignFailed(_logger, Name, Key, FailureRetry, ex.Message);
                await DelayQuietlyAsync(FailureRetry, stoppingToken).ConfigureAwait(false);
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
    private async Task LeadAsync(SessionLease lease, CancellationToken stoppingToken)
    {
        var termStarted = _time.GetTimestamp();
        var term = CancellationTokenSource.CreateLinkedTokenSource(lease.LostToken);
        TaskCompletionSource<CancellationToken> waiters;
        lock (_gate)
        {
            _term.Dispose();
            _term = term;
            waiters = _nextTerm;
            _nextTerm = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Log.BecameLeader(_logger, Name, Key, lease.Id);
        _metrics.LeadershipChanged(Name, isLeader: true);
        waiters.TrySetResult(term.Token);
        LeadershipChanged?.Invoke(this, new ConsulLeadershipChangedEventArgs(true, lease.Id));

        using var watchStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lease.LostToken);
        await KeyLockRecipe.WatchAsync(_kv, _time, lease, Key, watchStop.Token).ConfigureAwait(false);

        // The term ends before anything is released, so work bound to the token stops first.
        await term.CancelAsync().ConfigureAwait(false);
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
        lock (_gate)
        {
            _term.Dispose();
        }

        base.Dispose();
    }
}
