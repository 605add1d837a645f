// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Where one name fails over to (<c>Consul:Discovery:Failover</c>, or the name's own override): the
/// <see cref="NearestN"/> nearest other datacenters, then <see cref="Datacenters"/>, never <see cref="LocalDatacenter"/>.
/// </summary>
/// <param name="Datacenters">The listed datacenters, in order of preference.</param>
/// <param name="NearestN">How many of the nearest other datacenters come first.</param>
/// <param name="LocalDatacenter">The datacenter the name is discovered in when set in configuration; <see langword="null"/> means the agent's own (the first of Consul's datacenter list).</param>
internal sealed record FailoverPlan(IReadOnlyList<string> Datacenters, int NearestN, string? LocalDatacenter)
{
    /// <summary>The plan for <paramref name="serviceName"/>: its own override when it sets any value, else the default; <see langword="null"/> when there is nowhere to go.</summary>
    public static FailoverPlan? Create(string serviceName, ConsulOptions options)
    {
        var discovery = options.Discovery;
        discovery.Services.TryGetValue(serviceName, out var overrides);
        var failover = overrides is { Failover.IsSet: true } ? overrides.Failover : discovery.Failover;
        var nearest = failover.NearestN ?? 0;
        if (failover.Datacenters.Count == 0 && nearest <= 0)
        {
            return null;
        }

        var local = !string.IsNullOrWhiteSpace(overrides?.Datacenter) ? overrides.Datacenter
            : !string.IsNullOrWhiteSpace(options.Datacenter) ? options.Datacenter
            : null;
        return new FailoverPlan([.. failover.Datacenters], nearest, local);
    }

    /// <summary>
    /// The datacenters to try, in order, as Consul's prepared queries pick them: the first <see cref="NearestN"/> of
    /// <paramref name="known"/> (Consul's list: the agent's datacenter first, then by round-trip time) other than the
    /// local one, then <see cref="Datacenters"/>, skipping the local datacenter, repeats and, when <paramref name="known"/>
    /// is given, datacenters Consul does not know.
    /// </summary>
    /// <param name="known">Consul's datacenter list, or <see langword="null"/> when it was not read (only <see cref="Datacenters"/> are tried then).</param>
    public IReadOnlyList<string> Candidates(IReadOnlyList<string>? known)
    {
        var local = LocalDatacenter ?? (known is { Count: > 0 } ? known[0] : null);
        var chosen = new List<string>();
        bool Usable(string dc) => !string.Equals(dc, local, StringComparison.Ordinal) && !chosen.Contains(dc, StringComparer.Ordinal);
        if (known is not null)
        {
            foreach (var dc in known)
            {
                if (chosen.Count >= NearestN)
                {
                    break;
                }

                if (Usable(dc))
                {
                    chosen.Add(dc);
                }
            }
        }

        foreach (var dc in Datacenters)
        {
            if (Usable(dc) && (known is null || known.Contains(dc, StringComparer.Ordinal)))
            {
                chosen.Add(dc);
            }
        }

        return chosen;
    }
}
