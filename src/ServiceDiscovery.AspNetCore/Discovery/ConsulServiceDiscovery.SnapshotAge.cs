// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class ConsulServiceDiscovery
{
    /// <summary>The <c>consul.discovery.snapshot.age</c> gauge: per watched name, seconds since Consul confirmed its instances.</summary>
    private IEnumerable<Measurement<double>> ObserveSnapshotAges()
    {
        foreach (var (name, watch) in _watches)
        {
            if (watch.SnapshotAge is { } age)
            {
                yield return new Measurement<double>(age.TotalSeconds, new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, name));
            }
        }
    }
}
