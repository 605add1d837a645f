// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Federation;

/// <summary>
/// The simulated WAN joining the datacenters of a <see cref="ConsulTestCluster"/>: each datacenter's servers can
/// forward a request to any other (agent/consul/rpc.go <c>forwardDC</c>) and order the others by estimated
/// round-trip time (agent/router <c>GetDatacentersByDistance</c>). The first datacenter is the primary.
/// </summary>
internal sealed class WanFederation
{
    private readonly Dictionary<string, WanDatacenter> _byName;

    public WanFederation(IReadOnlyList<WanDatacenter> datacenters)
    {
        Datacenters = datacenters;
        _byName = datacenters.ToDictionary(d => d.Name, StringComparer.Ordinal);
    }

    /// <summary>Gets the datacenters in the order they were configured, the primary first.</summary>
    public IReadOnlyList<WanDatacenter> Datacenters { get; }

    /// <summary>Gets the primary datacenter's name.</summary>
    public string Primary => Datacenters[0].Name;

    /// <summary>Finds a datacenter by its exact name (Consul's names are case-sensitive); null when the WAN has none.</summary>
    public WanDatacenter? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// Every datacenter ordered by estimated round-trip time from <paramref name="from"/>: itself first (distance 0),
    /// then by distance, ties in name order (a stable sort over the sorted names, as Consul does).
    /// </summary>
    public IReadOnlyList<WanDatacenter> ByDistanceFrom(string from)
    {
        var origin = Find(from);
        return [.. Datacenters
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .OrderBy(d => d.Name == from ? 0.0 : origin is null ? double.PositiveInfinity : WanCoordinates.Distance(origin.Coordinate, d.Coordinate))];
    }

    /// <summary>
    /// The WAN gossip pool: every datacenter's server, in configured order; the servers of an unreachable datacenter
    /// are <c>failed</c> (4), as serf marks members it cannot probe.
    /// </summary>
    public List<SerfMember> Members()
    {
        var members = new List<SerfMember>();
        foreach (var dc in Datacenters)
        {
            lock (dc.Store.Sync)
            {
                members.AddRange(dc.Store.Members.Where(m => m.IsServer).Select(m => m with { Status = dc.Reachable ? m.Status : StateStore.MemberFailed }));
            }
        }

        return members;
    }
}
