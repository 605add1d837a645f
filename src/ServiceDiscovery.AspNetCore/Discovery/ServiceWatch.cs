// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// One watched service name: a background loop of blocking queries on <c>/v1/health/service/{name}</c> that keeps an
/// immutable <see cref="ConsulServiceInstances"/> snapshot current. Lookups read <see cref="Current"/> (a volatile
/// read, no lock); only the loop writes it.
/// </summary>
/// <remarks>
/// Index rules (docs/consul-http-api.md §8): the first query has no index and does not block; each later one blocks on the last
/// index (<see cref="QueryResult{T}.NextIndex"/>: reset to 0 when it went backwards, never 0 otherwise). An answer that
/// did not move the index is re-asked with the same index (it blocks again), but not before
/// <see cref="ConsulDiscoveryCacheOptions.MinimumQueryInterval"/> since the previous query started, so a server that answers
/// at once without a change cannot cause a request storm. Errors back off exponentially with jitter, and the next query
/// after an error does not block, so recovery is seen at once.
/// </remarks>
internal sealed partial class ServiceWatch : IDisposable
{
    private readonly IConsulHealthApi _client;
    private readonly DiscoveryQuery _query;
    private readonly ConsulDiscoveryCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DiscoveryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly InstanceSnapshotGuard _guard;

    private volatile ConsulServiceInstances? _current;
    private volatile TaskCompletionSource<ConsulServiceInstances> _firstResult = NewFirstResult();
    private volatile TaskCompletionSource _wake = NewWake();
    private CancellationTokenSource _changeSource = new();
    private Task _loop = Task.CompletedTask;
    private Activity? _firstCaller;
    private CancellationTokenSource? _loopStopping;
    private bool _started;
    private int _stopped;
    private bool _staleReported;
    private long _confirmedAt;

    // Set by lookups, cleared by the idle sweep: a plain flag costs a lookup one read (and rarely one write).
    private volatile bool _touched = true;

    public ServiceWatch(
        string serviceName,
        DiscoveryQuery query,
        IConsulHealthApi client,
        ConsulDiscoveryCacheOptions options,
        TimeProvider timeProvider,
        DiscoveryMetrics metrics,
        ILogger logger,
        Func<double> random,
        DiscoverySnapshotStore? snapshots = null)
    {
        ServiceName = serviceName;
        _query = query;
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _random = random;
        _snapshots = snapshots;
        LastActive = timeProvider.GetTimestamp();
        _guard = new InstanceSnapshotGuard(serviceName, options, timeProvider, metrics, logger);
    }

    public string ServiceName { get; }

    /// <summary>What the name asks Consul for.</summary>
    public DiscoveryQuery Query => _query;

    /// <summary>Whether <see cref="Start"/> ran (the watch counts in metrics and holds a query or a datacenter slot).</summary>
    public bool HasStarted
    {
        get
        {
            lock (_gate)
            {
                return _started;
            }
        }
    }

    /// <summary>The latest snapshot; <see langword="null"/> until Consul first answered.</summary>
    public ConsulServiceInstances? Current => _current;

    /// <summary>When the idle sweep last saw this name looked up (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActive { get; set; }

    public bool IsStopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>How long ago Consul last confirmed the served instances; <see langword="null"/> before the first answer.</summary>
    public TimeSpan? SnapshotAge => _current is null ? null : _timeProvider.GetElapsedTime(Interlocked.Read(ref _confirmedAt));

    /// <summary>Records a lookup for the idle sweep.</summary>
    public void Touch()
    {
        if (!_touched)
        {
            _touched = true;
        }
    }

    /// <summary>Returns whether the name was looked up since the last call, and clears the mark.</summary>
    public bool ConsumeTouched()
    {
        if (!_touched)
        {
            return false;
        }

        _touched = false;
        return true;
    }

    /// <summary>Whether the datacenter watch keeps this name fresh (instead of the watch's own loop).</summary>
    public bool IsFed { get; private set; }

    /// <summary>
    /// Starts watching once; later calls do nothing. With <paramref name="fed"/>, no loop runs: the datacenter watch
    /// calls <see cref="RefreshAsync"/> when the name changed. Returns whether this call started it.
    /// </summary>
    public bool Start(bool fed)
    {
        lock (_gate)
        {
            if (_started || IsStopped)
            {
                return false;
            }

            _started = true;
            IsFed = fed;
            _metrics.WatchStarted();
            Log.WatchStarted(_logger, ServiceName);
            if (!fed)
            {
                // Only the first fetch, which the caller that started the watch waits for, joins that caller's trace.
                _firstCaller = Activity.Current;
                StartLoop();
            }

            return true;
        }
    }

    /// <summary>
    /// The first snapshot, or the failure of the last attempt while none succeeded yet (so that lookups during a retry
    /// delay fail at once instead of hanging). Throws <see cref="ObjectDisposedException"/> once the watch stopped.
    /// </summary>
    /// <remarks>
    /// A lookup that finds the first fetch failed and the loop in its backoff delay cuts the delay short (no sooner
    /// than <see cref="ConsulDiscoveryCacheOptions.MinimumQueryInterval"/> after the previous attempt) and waits for that
    /// attempt: a caller retrying after Consul came back is not held back by the backoff. Only the first such lookup per
    /// failed attempt wakes the loop, so a flood of lookups costs Consul one request per attempt.
    /// </remarks>
    public Task<ConsulServiceInstances> WaitForInstancesAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current)
        {
            return Task.FromResult(current);
        }

        var first = _firstResult;
        if (first.Task.IsFaulted && Volatile.Read(ref _stopped) == 0)
        {
            var next = NewFirstResult();
            if (Interlocked.CompareExchange(ref _firstResult, next, first) == first)
            {
                _wake.TrySetResult();
            }

            first = _firstResult;
        }

        return first.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the loop and waits for it to end. <paramref name="notifyConsumers"/> fires the current change token (idle
    /// eviction), so holders of the list re-query and watch the name again if they still need it.
    /// </summary>
    public async Task StopAsync(bool notifyConsumers)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            // Cancellation is requested synchronously (callbacks run later), so everything below happens before
            // StopAsync first yields: once it returns, waiters have failed and holders of the list were told.
            var cancelling = _stopping.CancelAsync();
            CancellationTokenSource? loopStopping;
            lock (_gate)
            {
                loopStopping = _loopStopping;
            }

            // The loop's token is linked to _stopping through a callback, which CancelAsync runs later: cancel it too.
            var cancellingLoop = loopStopping?.CancelAsync() ?? Task.CompletedTask;
            FailFirstResult(new ObjectDisposedException(nameof(ServiceWatch), $"The watch of service '{ServiceName}' stopped."));
            if (notifyConsumers)
            {
                Fire(_changeSource);
            }

            await cancelling.ConfigureAwait(false);
            await cancellingLoop.ConfigureAwait(false);
            await WaitForLoopAsync().ConfigureAwait(false);
            lock (_gate)
            {
                if (_started)
                {
                    if (_staleReported)
                    {
                        _metrics.StaleChanged(stale: false);
                    }

                    _metrics.WatchStopped();
                    Log.WatchStopped(_logger, ServiceName);
                }
            }
        }

        await WaitForLoopAsync().ConfigureAwait(false);
    }

    /// <summary>Releases the stop signal; call only once <see cref="StopAsync"/> completed, or on a watch never started.</summary>
    public void Dispose()
    {
        _stopping.Dispose();
        _loopStopping?.Dispose();
    }

    private static TaskCompletionSource<ConsulServiceInstances> NewFirstResult() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        lock (_gate)
        {
            OnAnswerLocked(entries, index, failuresBefore);
        }
    }

    private void OnAnswerLocked(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        var current = _current;
        var available = ServiceInstanceMapper.Map(ServiceName, entries, _query, current);
        var registered = _query.IncludeFailing ? ServiceInstanceMapper.Map(ServiceName, entries, _query, current, includeFailing: true) : available;
        var instances = _guard.Decide(available, registered, index);
        LeaveFile();
        if (!_guard.InGrace)
        {
            Interlocked.Exchange(ref _confirmedAt, _timeProvider.GetTimestamp());
        }

        if (failuresBefore > 0)
        {
            Log.WatchRecovered(_logger, ServiceName, failuresBefore);
        }

        if (current is not null && ServiceInstanceMapper.SameInstances(instances, current.AsSpan()))
        {
            if (current.IsStale)
            {
                Publish(token => ConsulServiceInstances.Create(ServiceName, instances, index, _timeProvider.GetUtcNow(), isStale: false, token));
            }

            return;
        }

        Publish(token => ConsulServiceInstances.Create(ServiceName, instances, index, _timeProvider.GetUtcNow(), isStale: false, token));
        _metrics.Updated(ServiceName);
        Log.InstancesChanged(_logger, ServiceName, instances.Length, index);
    }

    private void OnFailure(Exception exception, int failures)
    {
        lock (_gate)
        {
            OnFailureLocked(exception, failures);
        }
    }

    private void OnFailureLocked(Exception exception, int failures)
    {
        var errorType = ErrorType(exception);
        _metrics.WatchError(ServiceName, errorType);
        var current = _current;
        if (current is null)
        {
            if (TryServeFromFile(exception, errorType))
            {
                return;
            }

            if (failures == 1)
            {
                Log.FirstFetchFailed(_logger, ServiceName, _client.Address, errorType, exception);
            }

            FailFirstResult(DescribeFailure(exception));
            return;
        }

        if (failures == 1)
        {
            Log.WatchFailed(_logger, ServiceName, _client.Address, errorType, current.Count, exception);
        }

        if (!current.IsStale)
        {
            Publish(token => current.With(isStale: true, token));
        }
    }

    /// <summary>Swaps in a new snapshot with a fresh change token, then fires the previous token.</summary>
    private void Publish(Func<IChangeToken, ConsulServiceInstances> create)
    {
        var source = new CancellationTokenSource();
        var snapshot = create(new CancellationChangeToken(source.Token));
        var previous = _changeSource;
        _changeSource = source;
        _current = snapshot;
        if (snapshot.IsStale != _staleReported)
        {
            _staleReported = snapshot.IsStale;
            _metrics.StaleChanged(snapshot.IsStale);
        }

        _firstResult.TrySetResult(snapshot);
        SaveFresh(snapshot);
        Fire(previous);
    }

    private void Fire(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException ex)
        {
            // A consumer's change callback threw: that is theirs to fix, and must not stop the watch.
            Log.ChangeCallbackFailed(_logger, ServiceName, ex);
        }
    }

    private void FailFirstResult(Exception exception)
    {
        var first = _firstResult;
        if (first.TrySetException(exception))
        {
            // Nobody may be waiting: mark it observed so it never surfaces as an unobserved task exception.
            _ = first.Task.Exception;
        }
    }
}
