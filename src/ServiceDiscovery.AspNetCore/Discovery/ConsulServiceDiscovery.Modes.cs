// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Which names run their own blocking query and which the datacenter watch feeds (docs/scale.md):
/// <list type="bullet">
/// <item><c>Datacenter</c>: every name is fed.</item>
/// <item><c>PerService</c>: a name gets its own query while those fit in the connection budget
/// (<see cref="DiscoveryConnectionBudget.PerServiceSlots"/>); names beyond it are fed rather than queued.</item>
/// <item><c>Auto</c>: per name until the threshold or the budget is reached, then every name is handed over to the
/// datacenter watch (cached answers stay in place) and later names are fed. It does not switch back.</item>
/// </list>
/// Names whose <c>Consul:Discovery:Services:{name}:Datacenter</c> names another datacenter always run their own query.
/// </summary>
internal sealed partial class ConsulServiceDiscovery
{
    private readonly Lock _modeGate = new();
    private DatacenterWatch? _datacenter;
    private int _ownQueries;
    private volatile bool _switched;

    private DatacenterWatch Datacenter
    {
        get
        {
            lock (_modeGate)
            {
                return _datacenter ??= new DatacenterWatch(_context, _catalog!);
            }
        }
    }

    /// <summary>The datacenter watch is not started, or has read every name it was given (for tests).</summary>
    internal bool DatacenterWatchIdle
    {
        get
        {
            lock (_modeGate)
            {
                return _datacenter?.IsIdle ?? true;
            }
        }
    }

    private void StartWatch(ServiceWatch watch)
    {
        if (watch.HasStarted)
        {
            return;
        }

        bool fed;
        if (_catalog is not null && watch.Query.Datacenter is null)
        {
            fed = !TryReserveOwnQuery();
        }
        else
        {
            fed = false;
            Interlocked.Increment(ref _ownQueries);
        }

        if (!watch.Start(fed))
        {
            if (!fed)
            {
                Interlocked.Decrement(ref _ownQueries);
            }

            return;
        }

        if (fed)
        {
            Datacenter.Add(watch);
        }
        else if (_switched)
        {
            // The switch to datacenter mode raced with this start: hand this one over too.
            _ = HandOverAsync(watch);
        }
    }

    /// <summary>Takes one of the own-query slots; when none is left, decides what overflowing means for the mode.</summary>
    private bool TryReserveOwnQuery()
    {
        var mode = _options.Discovery.WatchMode;
        if (mode == ConsulWatchMode.Datacenter || _switched)
        {
            return false;
        }

        if (Interlocked.Increment(ref _ownQueries) <= DiscoveryConnectionBudget.PerServiceSlots(_options.Discovery))
        {
            return true;
        }

        Interlocked.Decrement(ref _ownQueries);
        if (mode == ConsulWatchMode.Auto)
        {
            SwitchToDatacenter();
        }

        return false;
    }

    private void SwitchToDatacenter()
    {
        lock (_modeGate)
        {
            if (_switched)
            {
                return;
            }

            _switched = true;
        }

        Log.SwitchedToDatacenter(_logger, _watches.Count, $"more than {DiscoveryConnectionBudget.PerServiceSlots(_options.Discovery)} names to watch");
        foreach (var watch in _watches.Values)
        {
            if (watch.HasStarted && !watch.IsFed)
            {
                _ = HandOverAsync(watch);
            }
        }
    }

    private async Task HandOverAsync(ServiceWatch watch)
    {
        if (watch.Query.Datacenter is not null)
        {
            return;
        }

        if (await watch.HandOverAsync().ConfigureAwait(false))
        {
            Interlocked.Decrement(ref _ownQueries);
            Datacenter.Add(watch);
        }
    }

    /// <summary>An evicted watch gives back its own-query slot, or leaves the datacenter watch.</summary>
    private void OnWatchEnded(ServiceWatch watch)
    {
        if (!watch.HasStarted)
        {
            return;
        }

        if (watch.IsFed)
        {
            _datacenter?.Remove(watch);
        }
        else
        {
            Interlocked.Decrement(ref _ownQueries);
        }
    }
}
