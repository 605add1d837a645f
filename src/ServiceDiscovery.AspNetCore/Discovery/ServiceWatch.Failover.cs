// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// What the name serves: the local datacenter's instances, or, when none of them passes (after the local void grace and
/// panic rules) and the name has a failover plan, those of the first failover datacenter that has a passing instance.
/// Traffic returns to the local datacenter with the first local answer that has a passing instance again.
/// </summary>
internal sealed partial class ServiceWatch
{
    private ConsulServiceInstance[] _local = [];
    private ulong _localIndex;
    private DateTimeOffset _localAt;
    private bool _localVoid;
    private bool _localStale;
    private volatile string? _servingDatacenter;

    /// <summary>The failover datacenter serving the name now; <see langword="null"/> while the local datacenter does.</summary>
    public string? ServingDatacenter => _servingDatacenter;

    /// <summary>The name's failover, <see langword="null"/> without a plan (for tests).</summary>
    internal DatacenterFailover? Failover => _failover;

    /// <summary>A local answer was decided by the guard: remember it and serve it, or a failover datacenter's instead.</summary>
    private void OnLocalAnswer(ConsulServiceInstance[] instances, ulong index, bool localVoid)
    {
        _local = instances;
        _localIndex = index;
        _localAt = _context.TimeProvider.GetUtcNow();
        _localVoid = localVoid;
        _localStale = false;
        ServeLocked();
    }

    /// <summary>A failover datacenter answered or failed: what the name serves may change.</summary>
    private void OnFailoverChanged()
    {
        using (EnterPublishing())
        {
            if (!IsStopped && Current is not null)
            {
                ServeLocked();
            }
        }
    }

    private void ServeLocked()
    {
        RemoteAnswer? remote = null;
        if (_failover is { } failover)
        {
            if (_localVoid)
            {
                failover.Activate();
                remote = failover.Serving();
            }
            else
            {
                failover.Deactivate();
            }
        }

        var instances = remote?.Instances ?? _local;
        var index = remote?.Index ?? _localIndex;
        var stale = remote?.IsStale ?? _localStale;
        var updatedAt = remote?.ReceivedAt ?? _localAt;
        NoteServingDatacenter(remote?.Datacenter, instances.Length);

        var current = Current;
        var next = (IChangeToken token) => ConsulServiceInstances.Create(ServiceName, instances, index, updatedAt, stale, token);
        if (current is not null && ServiceInstanceMapper.SameInstances(instances, current.AsSpan()))
        {
            // The same instances: only a staleness change is published.
            if (current.IsStale != stale)
            {
                Publish(next);
            }

            return;
        }

        Publish(next);
        _context.Metrics.Updated(ServiceName);
        Log.InstancesChanged(_context.Logger, ServiceName, instances.Length, index);
    }

    private void NoteServingDatacenter(string? datacenter, int count)
    {
        var previous = _servingDatacenter;
        if (string.Equals(previous, datacenter, StringComparison.Ordinal))
        {
            return;
        }

        _servingDatacenter = datacenter;
        if (datacenter is null)
        {
            Log.FailoverReturned(_context.Logger, ServiceName, count, previous!);
            return;
        }

        _context.Metrics.FailedOver(ServiceName, datacenter);
        if (previous is null)
        {
            Log.FailedOver(_context.Logger, ServiceName, datacenter, count);
        }
        else
        {
            Log.FailoverMoved(_context.Logger, ServiceName, datacenter, previous, count);
        }
    }
}
