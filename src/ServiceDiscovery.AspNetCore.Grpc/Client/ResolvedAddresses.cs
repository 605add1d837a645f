// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Net.Client.Balancer;

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// Turns one discovery snapshot into the addresses a channel balances over: the instances serving a scheme the
/// channel speaks, one address per distinct endpoint, each carrying its <see cref="ConsulServiceInstance"/>
/// (<see cref="InstanceKey"/>) for custom load balancers.
/// </summary>
internal static class ResolvedAddresses
{
    /// <summary>The attribute holding the Consul instance behind an address.</summary>
    public static readonly BalancerAttributesKey<ConsulServiceInstance> InstanceKey = new("consul.instance");

    /// <summary>The usable addresses, and how many instances were left out for their scheme.</summary>
    public static (List<BalancerAddress> Addresses, int SkippedForScheme) From(ConsulServiceInstances instances, string[] schemes)
    {
        var addresses = new List<BalancerAddress>(instances.Count);
        var skipped = 0;
        foreach (var instance in instances)
        {
            if (!InstanceSchemes.Accepts(schemes, instance.Scheme))
            {
                skipped++;
                continue;
            }

            if (addresses.Exists(a => a.EndPoint.Port == instance.Port && string.Equals(a.EndPoint.Host, instance.Address, StringComparison.OrdinalIgnoreCase)))
            {
                continue; // two registrations of one endpoint: one subchannel
            }

            var address = new BalancerAddress(instance.Address, instance.Port);
            address.Attributes.Set(InstanceKey, instance);
            addresses.Add(address);
        }

        return (addresses, skipped);
    }
}
