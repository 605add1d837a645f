// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// One watched name: keeps an immutable <see cref="ConsulServiceInstances"/> snapshot current from what Consul says
/// about it. Lookups read <see cref="Current"/> (a volatile read, no lock); only the name's reads write it, under a lock.
/// </summary>
/// <remarks>
/// The reads come from the name's own <see cref="ServiceQueryLoop"/> (per-service mode) or, when the datacenter watch
/// feeds the name, from its <see cref="FedRefresh"/>; both report here through <see cref="IWatchSink"/>. Each answer goes
/// through the <see cref="InstanceSnapshotGuard"/> (void grace, panic) before it is published; without any answer yet,
/// the <see cref="FailStaticSnapshot"/> may stand in while Consul is down. With a failover plan, a name without a passing
/// local instance is served from another datacenter (ServiceWatch.Failover.cs).
/// </remarks>
internal sealed partial class ServiceWatch : IWatchSink, IDisposable
{
    private readonly DatacenterFailover? _failover;
    private readonly DiscoveryQuery _query;
    private readonly DiscoveryWatchContext _context;
    private readonly Lock _gate = new();
    private bool _aclFiltered;
    private readonly InstanceSnapshotGuard _guard;
    private readonly PublishedSnapshot _published;
    private volatile Feed _feed;
    private volatile ServiceQueryLoop? _loop;
    private int _stopped;
    private long _confirmedAt;

    public ServiceWatch(DiscoveryQuery query, DiscoveryWatchContext context)
    {
        _query = query;
        _context = context;
        _guard = new InstanceSnapshotGuard(query.ServiceName, context.Options, context.TimeProvider, context.Metrics, context.Logger);
        _published = new PublishedSnapshot(query.ServiceName, context.Metrics, context.Logger);
        Idle = new IdleMark(context.TimeProvider.GetTimestamp());
        Fed = new FedRefresh(query, context.Client, this);
        FailStatic = context.Snapshots is { } store ? new FailStaticSnapshot(query, store, context.Logger) : null;
        _failover = query.Failover is not null ? new DatacenterFailover(query, context, OnFailoverChanged) : null;
    }

    private enum Feed
    {
        NotStarted,
        OwnQuery,
        Datacenter,
    }

    public string ServiceName => _query.ServiceName;

    /// <summary>What the name asks Consul for.</summary>
    public DiscoveryQuery Query => _query;

    /// <summary>Whether <see cref="Start"/> ran (the watch counts in metrics and holds a query or a datacenter slot).</summary>
    public bool HasStarted => _feed != Feed.NotStarted;

    /// <summary>Whether the datacenter watch keeps this name fresh (through <see cref="Fed"/>) instead of its own loop.</summary>
    public bool IsFed => _feed == Feed.Datacenter;

    public bool IsStopped => Volatile.Read(ref _stopped) != 0;

    /// <summary>The latest snapshot; <see langword="null"/> until Consul first answered.</summary>
    public ConsulServiceInstances? Current => _published.Current;

    /// <summary>How long ago Consul last confirmed the served instances; <see langword="null"/> before the first answer.</summary>
    public TimeSpan? SnapshotAge => Current is null ? null : _context.TimeProvider.GetElapsedTime(Interlocked.Read(ref _confirmedAt));

    /// <summary>Lookups of the name, for the idle sweep.</summary>
    public IdleMark Idle { get; }

    /// <summary>The reads the datacenter watch asks for once the name is fed.</summary>
    public FedRefresh Fed { get; }

    /// <summary>The name's part of the fail-static snapshot; <see langword="null"/> without <c>SnapshotPath</c>.</summary>
    public FailStaticSnapshot? FailStatic { get; }

    /// <summary>
    /// Starts watching once; later calls do nothing. With <paramref name="fed"/>, no loop runs: the datacenter watch
    /// reads the name through <see cref="Fed"/> when it changed. Returns whether this call started it.
    /// </summary>
    public bool Start(bool fed)
    {
        lock (_gate)
        {
            if (HasStarted || IsStopped)
            {
                return false;
            }

            _feed = fed ? Feed.Datacenter : Feed.OwnQuery;
            _context.Metrics.WatchStarted();
            Log.WatchStarted(_context.Logger, ServiceName);
            if (!fed)
            {
                _loop = new ServiceQueryLoop(_query, _context, _guard, this);
                _loop.Start(Activity.Current);
            }

            return true;
        }
    }

    /// <summary>
    /// Stops the watch's own loop and leaves the name to the datacenter watch, keeping the cached answer (lookups
    /// never see a gap). Returns <see langword="false"/> when the watch is stopped or already fed.
    /// </summary>
    public async Task<bool> HandOverAsync()
    {
        ServiceQueryLoop? loop;
        lock (_gate)
        {
            if (_feed != Feed.OwnQuery || IsStopped)
            {
                return false;
            }

            _feed = Feed.Datacenter;
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.StopAsync().ConfigureAwait(false);
        }

        return !IsStopped;
    }

    /// <summary>
    /// The first snapshot, or the failure of the last attempt while none succeeded yet (so that lookups during a retry
    /// delay fail at once instead of hanging). Throws <see cref="ObjectDisposedException"/> once the watch stopped.
    /// </summary>
    /// <remarks>
    /// A lookup that finds the first fetch failed cuts the loop's backoff short (<see cref="ServiceQueryLoop.Wake"/>) and
    /// waits for that attempt: a caller retrying after Consul came back is not held back by the backoff. Only the first
    /// such lookup per failed attempt wakes the loop, so a flood of lookups costs Consul one request per attempt.
    /// </remarks>
    public Task<ConsulServiceInstances> WaitForInstancesAsync(CancellationToken cancellationToken)
    {
        if (Current is { } current)
        {
            return Task.FromResult(current);
        }

        if (!IsStopped && _published.RenewFailedFirst())
        {
            _loop?.Wake();
        }

        return _published.First.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Stops the loop and waits for it to end. <paramref name="notifyConsumers"/> fires the current change token (idle
    /// eviction), so holders of the list re-query and watch the name again if they still need it.
    /// </summary>
    public async Task StopAsync(bool notifyConsumers)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            // The loop's cancellation is requested before StopAsync first yields: once it returns, waiters have failed
            // and holders of the list were told.
            ServiceQueryLoop? loop;
            lock (_gate)
            {
                loop = _loop;
            }

            var stoppingLoop = loop?.StopAsync() ?? Task.CompletedTask;
            var stoppingFailover = _failover?.StopAsync() ?? Task.CompletedTask;
            _published.FailFirst(new ObjectDisposedException(nameof(ServiceWatch), $"The watch of service '{ServiceName}' stopped."));
            if (notifyConsumers)
            {
                _published.NotifyConsumers();
            }

            await stoppingLoop.ConfigureAwait(false);
            await stoppingFailover.ConfigureAwait(false);
            lock (_gate)
            {
                if (HasStarted)
                {
                    if (Current is { IsStale: true })
                    {
                        _context.Metrics.StaleChanged(stale: false);
                    }

                    _context.Metrics.WatchStopped();
                    Log.WatchStopped(_context.Logger, ServiceName);
                }
            }
        }

        if (_loop is { } started)
        {
            await started.WaitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Releases the loop's stop signal; call only once <see cref="StopAsync"/> completed, or on a watch never started.</summary>
    public void Dispose() => _loop?.Dispose();

    /// <summary>The datacenter watch lost Consul: serve the last-known-good answer as stale (logged once, by it).</summary>
    public void MarkStale()
    {
        using (EnterPublishing())
        {
            _localStale = true;
            if (Current is { IsStale: false } current)
            {
                Publish(token => current.With(isStale: true, token));
            }
        }
    }

    /// <summary>
    /// The datacenter watch reached Consul again and this name did not change meanwhile: clear staleness. Not while a
    /// read of the name runs or waits (it may be there because the name changed; its answer clears staleness), nor
    /// after one failed (its retry will).
    /// </summary>
    public void MarkFresh()
    {
        using (EnterPublishing())
        {
            if (Current is { IsStale: true } current && Fed.IsSettled)
            {
                _localStale = false;
                Publish(token => current.With(isStale: false, token));
            }
        }
    }

    void IWatchSink.OnAttempt() => _published.OnAttempt();

    void IWatchSink.OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        using (EnterPublishing())
        {
            OnAnswerLocked(entries, index, failuresBefore);
        }
    }

    /// <summary>Logs once when Consul starts leaving instances out for the token, so an empty list is not a mystery.</summary>
    void IWatchSink.OnAclFiltering(bool filtered)
    {
        lock (_gate)
        {
            if (filtered && !_aclFiltered)
            {
                Log.ResultsFilteredByAcls(_context.Logger, ServiceName);
            }

            _aclFiltered = filtered;
        }
    }

    void IWatchSink.OnFailure(Exception exception, int failures)
    {
        using (EnterPublishing())
        {
            OnFailureLocked(exception, failures);
        }
    }

    private void OnAnswerLocked(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        var current = Current;
        var available = ServiceInstanceMapper.Map(ServiceName, entries, _query, current);
        var registered = _query.IncludeFailing ? ServiceInstanceMapper.Map(ServiceName, entries, _query, current, includeFailing: true) : available;
        var instances = _guard.Decide(available, registered, index);
        FailStatic?.OnConsulAnswered();
        if (!_guard.InGrace)
        {
            Interlocked.Exchange(ref _confirmedAt, _context.TimeProvider.GetTimestamp());
        }

        if (failuresBefore > 0)
        {
            Log.WatchRecovered(_context.Logger, ServiceName, failuresBefore);
        }

        OnLocalAnswer(instances, index, localVoid: !_guard.InGrace && available.Length == 0);
    }

    private void OnFailureLocked(Exception exception, int failures)
    {
        var errorType = WatchFailure.ErrorType(exception);
        _context.Metrics.WatchError(ServiceName, errorType);
        var current = Current;
        if (current is null)
        {
            if (TryServeFromFile(exception, errorType))
            {
                return;
            }

            if (failures == 1)
            {
                Log.FirstFetchFailed(_context.Logger, ServiceName, _context.Client.Address, errorType, exception);
            }

            _published.FailFirst(WatchFailure.Describe(ServiceName, _context.Client.Address, exception));
            return;
        }

        if (failures == 1)
        {
            Log.WatchFailed(_context.Logger, ServiceName, _context.Client.Address, errorType, current.Count, exception);
        }

        _localStale = true;
        if (!current.IsStale)
        {
            Publish(token => current.With(isStale: true, token));
        }
    }

    /// <summary>Nothing was published yet and Consul is down: publishes the saved instances, stale, when there are any.</summary>
    private bool TryServeFromFile(Exception exception, string errorType)
    {
        if (FailStatic is null || !FailStatic.TryStandIn(exception, errorType, _context.Client.Address, out var saved))
        {
            return false;
        }

        // The snapshot-age gauge reports how long ago Consul confirmed these instances: when the file saved them.
        var time = _context.TimeProvider;
        Interlocked.Exchange(ref _confirmedAt, time.GetTimestamp() - (long)(saved.Age.TotalSeconds * time.TimestampFrequency));
        Publish(token => ConsulServiceInstances.Create(ServiceName, saved.Instances, saved.Index, saved.SavedAt, isStale: true, token));
        return true;
    }

    /// <summary>
    /// Takes the watch's lock for work that may publish; leaving the scope releases the lock, then fires the change
    /// tokens replaced meanwhile, so consumers' callbacks run outside the lock.
    /// </summary>
    private PublishingScope EnterPublishing()
    {
        _gate.Enter();
        return new PublishingScope(this);
    }

    /// <summary>Publishes a snapshot; a fresh one is also saved for the fail-static snapshot.</summary>
    private void Publish(Func<IChangeToken, ConsulServiceInstances> create)
    {
        Debug.Assert(_gate.IsHeldByCurrentThread, "Publishing is serialized by the watch's lock (EnterPublishing).");
        var snapshot = _published.Publish(create);
        FailStatic?.Save(snapshot);
    }

    private readonly ref struct PublishingScope(ServiceWatch watch)
    {
        public void Dispose()
        {
            var replaced = watch._published.TakeReplaced();
            watch._gate.Exit();
            watch._published.Fire(replaced);
        }
    }
}
