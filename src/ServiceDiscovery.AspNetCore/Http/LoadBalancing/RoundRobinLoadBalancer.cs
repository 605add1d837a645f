// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>Each instance in turn, with one counter per service name.</summary>
internal sealed class RoundRobinLoadBalancer : IConsulLoadBalancer
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public ConsulServiceInstance Pick(ConsulServiceInstances instances)
    {
        var counter = _counters.GetOrAdd(instances.ServiceName, static _ => new Counter());
        var next = (uint)Interlocked.Increment(ref counter.Value) - 1;
        return instances[(int)(next % (uint)instances.Count)];
    }

    private sealed class Counter
    {
        public int Value;
    }
}
