// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Where discovery looks when no instance of a name passes in the local datacenter (<c>Consul:Discovery:Failover</c>,
/// or <c>Consul:Discovery:Services:{name}:Failover</c> for one name). The datacenters tried are the
/// <see cref="NearestN"/> nearest other datacenters by Consul's round-trip estimate, then <see cref="Datacenters"/> in
/// order (duplicates and the local datacenter skipped), as Consul's prepared queries do. See docs/multi-datacenter.md.
/// </summary>
public sealed class ConsulDiscoveryFailoverOptions
{
    /// <summary>Gets the datacenters to fail over to, in order of preference; the local datacenter may not be listed.</summary>
    /// <value>The default is empty.</value>
    public IList<string> Datacenters { get; } = new List<string>();

    /// <summary>
    /// Gets or sets how many of the nearest other datacenters (by <c>/v1/catalog/datacenters</c>, ordered by estimated
    /// round-trip time) to try before <see cref="Datacenters"/>. For one service, <c>0</c> with no
    /// <see cref="Datacenters"/> turns the <c>Consul:Discovery:Failover</c> default off.
    /// </summary>
    /// <value>The default is unset (0: none).</value>
    public int? NearestN { get; set; }

    /// <summary>Whether any value is set: a per-service entry that sets one replaces the default failover entirely.</summary>
    internal bool IsSet => Datacenters.Count > 0 || NearestN is not null;
}
