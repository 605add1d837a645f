// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.


namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// One name's failover (docs/multi-datacenter.md): while the local datacenter has no passing instance, each datacenter
/// of the name's <see cref="FailoverPlan"/> is watched with its own blocking query (<see cref="RemoteDatacenterWatch"/>),
/// and the first of them, in the plan's order, with a passing instance serves the name. As soon as the local datacenter
/// has one again, the remote watches stop: nothing is asked of other datacenters while the local one is healthy.
/// </summary>
/// <remarks>
/// <see cref="Activate"/> and <see cref="Deactivate"/> are called under the owning watch's lock; the remote watches
/// report through a callback that takes that lock, so nothing here waits for a remote loop while called under it.
/// </remarks>
internal sealed partial class DatacenterFailover
{
    private readonly DiscoveryQuery _query;
    private readonly FailoverPlan _plan;
    private readonly DiscoveryWatchContext _context;
    private readonly Action _changed;
    private readonly Lock _gate = new();
    private readonly List<Task> _stopping = [];
    private RemoteDatacenterWatch[] _remotes = [];
    private int _generation;
    private bool _active;
    private bool _stopped;

    /// <param name="query">The local query; the plan is its <see cref="DiscoveryQuery.Failover"/>.</param>
    /// <param name="context">What every watch of the cache shares (the catalog, for <c>NearestN</c>).</param>
    /// <param name="changed">Called when a remote datacenter's answer changed what the name could serve.</param>
    public DatacenterFailover(DiscoveryQuery query, DiscoveryWatchContext context, Action changed)
    {
        _query = query;
        _plan = query.Failover!;
        _context = context;
        _changed = changed;
    }

    /// <summary>Whether the remote datacenters are watched (the local datacenter has no passing instance).</summary>
    public bool IsActive
    {
        get
        {
            lock (_gate)
            {
                return _active;
            }
        }
    }

    /// <summary>The datacenters watched now, in the order they are preferred (for tests and diagnostics).</summary>
    public IReadOnlyList<string> Watched
    {
        get
        {
            lock (_gate)
            {
                return [.. _remotes.Select(static r => r.Datacenter)];
            }
        }
    }

    /// <summary>The local datacenter has no passing instance: start watching the failover datacenters (once).</summary>
    public void Activate()
    {
        int generation;
        lock (_gate)
        {
            if (_active || _stopped)
            {
                return;
            }

            _active = true;
            generation = ++_generation;
        }

        using (ExecutionContext.SuppressFlow())
        {
            _ = Task.Run(() => StartRemotesAsync(generation));
        }
    }

    /// <summary>The local datacenter has a passing instance again: stop watching the others.</summary>
    public void Deactivate()
    {
        RemoteDatacenterWatch[] remotes;
        lock (_gate)
        {
            if (!_active)
            {
                return;
            }

            _active = false;
            _generation++;
            remotes = _remotes;
            _remotes = [];
            _stopping.RemoveAll(static t => t.IsCompleted);
            foreach (var remote in remotes)
            {
                _stopping.Add(StopRemoteAsync(remote));
            }
        }
    }

    /// <summary>The first watched datacenter, in the plan's order, that can serve the name; <see langword="null"/> when none can.</summary>
    public RemoteAnswer? Serving()
    {
        RemoteDatacenterWatch[] remotes;
        lock (_gate)
        {
            remotes = _remotes;
        }

        foreach (var remote in remotes)
        {
            if (remote.Answer is { CanServe: true } answer)
            {
                return answer;
            }
        }

        return null;
    }

    /// <summary>Stops every remote watch for good and waits for them (the name's watch stopped).</summary>
    public async Task StopAsync()
    {
        Task[] stopping;
        lock (_gate)
        {
            _stopped = true;
        }

        Deactivate();
        lock (_gate)
        {
            stopping = [.. _stopping];
        }

        await Task.WhenAll(stopping).ConfigureAwait(false);
    }

    private static async Task StopRemoteAsync(RemoteDatacenterWatch remote)
    {
        // Yield first: the caller holds the name's lock, which the remote's last report may be waiting for.
        await Task.Yield();
        await remote.StopAsync().ConfigureAwait(false);
        remote.Dispose();
    }

    private async Task StartRemotesAsync(int generation)
    {
        var known = await ReadDatacentersAsync().ConfigureAwait(false);
        var candidates = _plan.Candidates(known);
        lock (_gate)
        {
            if (!_active || generation != _generation)
            {
                return;
            }

            _remotes = [.. candidates.Select(dc => new RemoteDatacenterWatch(_query.ForDatacenter(dc), _context, _changed))];
            foreach (var remote in _remotes)
            {
                remote.Start();
            }
        }

        if (candidates.Count == 0)
        {
            Log.NoCandidates(_context.Logger, _query.ServiceName, string.Join(", ", _plan.Datacenters), _plan.NearestN);
        }
    }

    /// <summary>Consul's datacenter list, only when <c>NearestN</c> needs its order; <see langword="null"/> otherwise or when it cannot be read.</summary>
    private async Task<IReadOnlyList<string>?> ReadDatacentersAsync()
    {
        if (_plan.NearestN <= 0 || _context.Catalog is not { } catalog)
        {
            return null;
        }

        try
        {
            return await catalog.GetDatacentersAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            Log.DatacentersUnreadable(_context.Logger, _query.ServiceName, WatchFailure.ErrorType(ex), ex);
            return null;
        }
    }
}
