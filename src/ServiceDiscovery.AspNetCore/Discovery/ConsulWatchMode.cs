// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>How the discovery cache keeps watched service names fresh (<c>Consul:Discovery:WatchMode</c>, docs/scale.md).</summary>
public enum ConsulWatchMode
{
    /// <summary>
    /// Per name while there are at most <see cref="ConsulDiscoveryCacheOptions.DatacenterWatchThreshold"/> names and their
    /// blocking queries fit in <see cref="ConsulDiscoveryCacheOptions.MaxConnections"/>; the whole datacenter beyond that.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// One blocking query on <c>/v1/health/service/{name}</c> per name (one connection each); names beyond
    /// <see cref="ConsulDiscoveryCacheOptions.MaxConnections"/> are watched through the datacenter instead.
    /// </summary>
    PerService = 1,

    /// <summary>
    /// Two blocking queries for every name (<c>/v1/health/state/any</c> and <c>/v1/catalog/services</c>); a name is
    /// re-read only when its checks or catalog entry changed.
    /// </summary>
    Datacenter = 2,
}
