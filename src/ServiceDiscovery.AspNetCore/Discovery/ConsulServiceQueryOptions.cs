// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Discovery query settings for one service name (<c>Consul:Discovery:Services:{name}</c>). A value left unset uses
/// the <see cref="ConsulDiscoveryCacheOptions"/> one.
/// </summary>
public sealed class ConsulServiceQueryOptions
{
    /// <summary>Gets or sets a value indicating whether only passing instances are returned; see <see cref="ConsulDiscoveryCacheOptions.PassingOnly"/>.</summary>
    /// <value>The default is unset (<see cref="ConsulDiscoveryCacheOptions.PassingOnly"/>).</value>
    public bool? PassingOnly { get; set; }

    /// <summary>Gets the tags an instance must all carry. When empty, <see cref="ConsulDiscoveryCacheOptions.Tags"/> apply.</summary>
    /// <value>The default is empty (<see cref="ConsulDiscoveryCacheOptions.Tags"/>).</value>
    public IList<string> Tags { get; } = new List<string>();

    /// <summary>Gets or sets the Consul filter expression; see <see cref="ConsulDiscoveryCacheOptions.Filter"/>.</summary>
    /// <value>The default is unset (<see cref="ConsulDiscoveryCacheOptions.Filter"/>).</value>
    public string? Filter { get; set; }

    /// <summary>Gets or sets the datacenter to discover this service in.</summary>
    /// <value>The default is unset (<see cref="ConsulOptions.Datacenter"/>, else the agent's own).</value>
    public string? Datacenter { get; set; }

    /// <summary>Gets or sets the read consistency mode; see <see cref="ConsulDiscoveryCacheOptions.Consistency"/>.</summary>
    /// <value>The default is unset (<see cref="ConsulDiscoveryCacheOptions.Consistency"/>).</value>
    public ConsulConsistencyMode? Consistency { get; set; }

    /// <summary>Gets or sets the tagged address to prefer; see <see cref="ConsulDiscoveryCacheOptions.TaggedAddress"/>.</summary>
    /// <value>The default is unset (<see cref="ConsulDiscoveryCacheOptions.TaggedAddress"/>).</value>
    public string? TaggedAddress { get; set; }

    /// <summary>
    /// Gets this service's failover datacenters; when any value is set, it replaces
    /// <see cref="ConsulDiscoveryCacheOptions.Failover"/> for this name.
    /// </summary>
    /// <value>The default is unset (<see cref="ConsulDiscoveryCacheOptions.Failover"/>).</value>
    public ConsulDiscoveryFailoverOptions Failover { get; } = new();
}
