// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;
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
/// <see cref="ConsulDiscoveryOptions.MinimumQueryInterval"/> since the previous query started, so a server that answers
/// at once without a change cannot cause a request storm. Errors back off exponentially with jitter, and the next query
/// after an error does not block, so recovery is seen at once.
/// </remarks>
internal sealed partial class ServiceWatch : IDisposable
{
    private readonly IConsulHealthApi _client;
    private readonly DiscoveryQuery _query;
    private readonly ConsulDiscoveryOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DiscoveryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stopping = new();
    private readonly InstanceSnapshotGuard _guard;

    private volatile ConsulServiceInstances? _current;
    private volatile TaskCompletionSource<ConsulServiceInstances> _firstResult = NewFirstResult();
    private volatile TaskCompletionSource _wake = NewWake();
    private CancellationTokenSource _changeSource = new();
    private Task _loop = Task.CompletedTask;
    private int _started;
    private int _stopped;
    private bool _staleReported;
    private long _confirmedAt;

    // Set by lookups, cleared by the idle sweep: a plain flag costs a lookup one read (and rarely one write).
    private volatile bool _touched = true;

    public ServiceWatch(
        string serviceName,
        DiscoveryQuery query,
        IConsulHealthApi client,
        ConsulDiscoveryOptions options,
        TimeProvider timeProvider,
        DiscoveryMetrics metrics,
        ILogger logger,
        Func<double> random)
    {
        ServiceName = serviceName;
        _query = query;
        _client = client;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _random = random;
        LastActive = timeProvider.GetTimestamp();
        _guard = new InstanceSnapshotGuard(serviceName, options, timeProvider, metrics, logger);
    }

    public string ServiceName { get; }

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

    /// <summary>Starts the loop once; later calls do nothing.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _metrics.WatchStarted();

        // The loop outlives the lookup that started it: do not let it inherit that caller's context (its Activity
        // would otherwise parent every blocking query for the life of the watch).
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => RunAsync(_stopping.Token));
        }
    }

    /// <summary>
    /// The first snapshot, or the failure of the last attempt while none succeeded yet (so that lookups during a retry
    /// delay fail at once instead of hanging). Throws <see cref="ObjectDisposedException"/> once the watch stopped.
    /// </summary>
    /// <remarks>
    /// A lookup that finds the first fetch failed and the loop in its backoff delay cuts the delay short (no sooner
    /// than <see cref="ConsulDiscoveryOptions.MinimumQueryInterval"/> after the previous attempt) and waits for that
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
            FailFirstResult(new ObjectDisposedException(nameof(ServiceWatch), $"The watch of service '{ServiceName}' stopped."));
            if (notifyConsumers)
            {
                Fire(_changeSource);
            }

            await cancelling.ConfigureAwait(false);
        }

#pragma warning disable VSTHRD003 // The loop is ours, running on the thread pool: no synchronization context to deadlock on.
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
    }

    /// <summary>Releases the stop signal; call only once <see cref="StopAsync"/> completed, or on a watch never started.</summary>
    public void Dispose() => _stopping.Dispose();

    private static TaskCompletionSource<ConsulServiceInstances> NewFirstResult() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stopping)
    {
        Log.WatchStarted(_logger, ServiceName);
        ulong index = 0;
        var failures = 0;
        var delay = TimeSpan.Zero;
        var lastAttempt = _timeProvider.GetTimestamp();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (delay > TimeSpan.Zero)
                {
                    await DelayAsync(delay, started: lastAttempt, stopping).ConfigureAwait(false);
                }

                _wake = NewWake();

                if (_current is null && _firstResult.Task.IsCompleted)
                {
                    // A retry of a failed first fetch: lookups from now on wait for this attempt.
                    _firstResult = NewFirstResult();
                }

                var started = _timeProvider.GetTimestamp();
                lastAttempt = started;
                bool advanced;
                try
                {
                    var result = await _client.GetHealthServiceAsync(
                        ServiceName, _query.HealthQuery, _query.ToQueryOptions(index, _guard.Wait(_options.WaitTime)), stopping).ConfigureAwait(false);

                    var next = result.NextIndex(index);
                    if (next == 0)
                    {
                        Log.IndexWentBackwards(_logger, ServiceName, index, result.LastIndex);
                    }

                    advanced = index == 0 || result.LastIndex > index;
                    OnAnswer(result.Value, result.LastIndex, failures);
                    failures = 0;
                    index = next;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // Any failure (Consul's or a bug's) must not end the watch: keep last-known-good and retry.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    OnFailure(ex, failures);

                    // Re-read without blocking once Consul answers again: recovery (and staleness clearing) is then
                    // immediate instead of waiting for the next change.
                    index = 0;
                    delay = JitteredBackoff.Delay(failures, _options.RetryDelay, _options.MaxRetryDelay, _random());
                    continue;
                }

                delay = advanced ? TimeSpan.Zero : _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(started);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped during a delay.
        }
        finally
        {
            if (_staleReported)
            {
                _metrics.StaleChanged(stale: false);
            }

            _metrics.WatchStopped();
            Log.WatchStopped(_logger, ServiceName);
        }
    }

    /// <summary>
    /// Waits <paramref name="delay"/>, or less when a lookup wakes the loop, but never less than the minimum query
    /// interval since the attempt that started at <paramref name="started"/>.
    /// </summary>
    private async Task DelayAsync(TimeSpan delay, long started, CancellationToken stopping)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sleeping = Task.Delay(delay, _timeProvider, cut.Token);
        var woken = await Task.WhenAny(sleeping, _wake.Task).ConfigureAwait(false);
        if (woken == sleeping)
        {
            await sleeping.ConfigureAwait(false);
            return;
        }

        await cut.CancelAsync().ConfigureAwait(false);
        await sleeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var floor = _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(started);
        if (floor > TimeSpan.Zero)
        {
            await Task.Delay(floor, _timeProvider, stopping).ConfigureAwait(false);
        }
    }

    private void OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        var current = _current;
        var available = ServiceInstanceMapper.Map(ServiceName, entries, _query, current);
        var registered = _query.IncludeFailing ? ServiceInstanceMapper.Map(ServiceName, entries, _query, current, includeFailing: true) : available;
        var instances = _guard.Decide(available, registered, index);
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
        var errorType = ErrorType(exception);
        _metrics.WatchError(ServiceName, errorType);
        var current = _current;
        if (current is null)
        {
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
