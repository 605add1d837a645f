// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// One name in one failover datacenter, watched only while the local datacenter has no passing instance: its own
/// <see cref="ServiceQueryLoop"/> (<c>?dc=</c>) and its own <see cref="InstanceSnapshotGuard"/>, so the void grace and
/// the panic threshold apply to this datacenter alone. A failure here (the datacenter unreachable) is logged and leaves
/// the last answer in place, marked stale; it never reaches the local watch's state.
/// </summary>
internal sealed partial class RemoteDatacenterWatch : IWatchSink, IDisposable
{
    private readonly DiscoveryQuery _query;
    private readonly DiscoveryWatchContext _context;
    private readonly InstanceSnapshotGuard _guard;
    private readonly Action _changed;
    private readonly Lock _gate = new();
    private readonly ServiceQueryLoop _loop;
    private volatile RemoteAnswer? _answer;
    private ConsulServiceInstances? _mapped;
    private bool _hasPassing;

    /// <param name="query">The name's query, aimed at this datacenter (<see cref="DiscoveryQuery.ForDatacenter"/>).</param>
    /// <param name="context">What every watch of the cache shares.</param>
    /// <param name="changed">Called (outside any lock here) after each answer or failure, to recompose what the name serves.</param>
    public RemoteDatacenterWatch(DiscoveryQuery query, DiscoveryWatchContext context, Action changed)
    {
        _query = query;
        _context = context;
        _changed = changed;
        _guard = new InstanceSnapshotGuard(query.ServiceName, context.Options, context.TimeProvider, context.Metrics, context.Logger);
        _loop = new ServiceQueryLoop(query, context, _guard, this);
    }

    public string Datacenter => _query.Datacenter!;

    /// <summary>The last answer this datacenter gave; <see langword="null"/> before the first.</summary>
    public RemoteAnswer? Answer => _answer;

    public void Start() => _loop.Start(caller: null);

    public Task StopAsync() => _loop.StopAsync();

    public void Dispose() => _loop.Dispose();

    void IWatchSink.OnAttempt()
    {
    }

    void IWatchSink.OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore)
    {
        lock (_gate)
        {
            var available = ServiceInstanceMapper.Map(_query.ServiceName, entries, _query, _mapped);
            var registered = _query.IncludeFailing ? ServiceInstanceMapper.Map(_query.ServiceName, entries, _query, _mapped, includeFailing: true) : available;
            var instances = _guard.Decide(available, registered, index);

            // While the guard holds the last known instances, whether they pass is what it was when they were accepted.
            if (!_guard.InGrace)
            {
                _hasPassing = available.Length > 0;
            }

            var now = _context.TimeProvider.GetUtcNow();
            _mapped = ConsulServiceInstances.Create(_query.ServiceName, instances, index, now, isStale: false, new CancellationChangeToken(CancellationToken.None));
            _answer = new RemoteAnswer(Datacenter, instances, index, now, _hasPassing && instances.Length > 0, IsStale: false);
        }

        if (failuresBefore > 0)
        {
            Log.RemoteRecovered(_context.Logger, _query.ServiceName, Datacenter, failuresBefore);
        }

        _changed();
    }

    // A failover datacenter's ACL filtering is not reported: the name's local watch already says what the token lacks.
    void IWatchSink.OnAclFiltering(bool filtered)
    {
    }

    void IWatchSink.OnFailure(Exception exception, int failures)
    {
        var errorType = WatchFailure.ErrorType(exception);
        _context.Metrics.WatchError(_query.ServiceName, errorType);
        lock (_gate)
        {
            if (_answer is { IsStale: false } answer)
            {
                _answer = answer with { IsStale = true };
            }
        }

        if (failures == 1)
        {
            Log.RemoteFailed(_context.Logger, _query.ServiceName, Datacenter, errorType, exception);
        }

        _changed();
    }
}
