// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class ConsulServiceDiscovery
{
    /// <summary>
    /// The <c>consul.discovery.snapshot.age</c> gauge: per watched name, seconds since Consul confirmed its instances,
    /// with <c>consul.discovery.snapshot.source</c>: <c>consul</c> (this process got them from Consul) or <c>file</c>
    /// (served from the fail-static snapshot file: the age is how long ago that file saved them).
    /// </summary>
    private IEnumerable<Measurement<double>> ObserveSnapshotAges()
    {
        foreach (var (name, watch) in _watches)
        {
            if (watch.SnapshotAge is { } age)
            {
                yield return new Measurement<double>(
                    age.TotalSeconds,
                    new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, name),
                    new KeyValuePair<string, object?>(DiscoveryMetrics.SnapshotSourceTag, watch.FailStatic is { IsStandingIn: true } ? DiscoveryMetrics.FileSource : DiscoveryMetrics.ConsulSource));
            }
        }
    }

    /// <summary>The <c>consul.discovery.failover.serving</c> gauge: 1 per name served from another datacenter, tagged with it.</summary>
    private IEnumerable<Measurement<int>> ObserveFailoverServing()
    {
        foreach (var (name, watch) in _watches)
        {
            if (watch.ServingDatacenter is { } datacenter)
            {
                yield return new Measurement<int>(
                    1,
                    new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, name),
                    new KeyValuePair<string, object?>(DiscoveryMetrics.DatacenterTag, datacenter));
            }
        }
    }
}
