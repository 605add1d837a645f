// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>One datacenter of a federated <see cref="ConsulTestCluster"/>: its name, how many agents it runs and where it sits on the WAN.</summary>
public sealed class ConsulTestDatacenterOptions
{
    /// <summary>Gets or sets the datacenter's name: lowercase letters, digits, <c>-</c> and <c>_</c>, as Consul requires.</summary>
    /// <value>The default is empty, which is invalid: name every datacenter.</value>
    public string Name { get; set; } = string.Empty;

    /// <summary>Gets or sets how many agents the datacenter runs: its server (<c>node-1</c>) and client agents.</summary>
    /// <value>The default is 1, the server alone.</value>
    public int Agents { get; set; } = 1;

    /// <summary>
    /// Gets or sets the datacenter's place on the simulated WAN, in milliseconds on two axes. The estimated round-trip
    /// time between two datacenters is the distance between their places; it orders <c>/v1/catalog/datacenters</c>
    /// and prepared-query failover (<c>NearestN</c>), and its servers report it as their WAN coordinate (in seconds).
    /// </summary>
    /// <value>The default is the origin: datacenters left there are equally near and ordered by name.</value>
    public Vector2 WanPosition { get; set; }
}
