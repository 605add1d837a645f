// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>Turns <c>/v1/health/service</c> entries into the instances a lookup returns.</summary>
internal static class ServiceInstanceMapper
{
    /// <summary>The metadata key an instance uses to announce its URI scheme (e.g. <c>https</c>).</summary>
    public const string SchemeMetaKey = "scheme";

    /// <summary>
    /// Keeps the available entries (passing, plus warning unless <see cref="DiscoveryQuery.PassingOnly"/>), resolves
    /// their addresses and orders them by id then node, so that equal answers compare equal whatever order Consul used.
    /// An instance unchanged since <paramref name="previous"/> is reused, keeping its identity for consumers.
    /// </summary>
    public static ConsulServiceInstance[] Map(string serviceName, IReadOnlyList<ServiceEntry> entries, DiscoveryQuery query, ConsulServiceInstances? previous)
        => Map(serviceName, entries, query, previous, includeFailing: false);

    /// <summary>
    /// As <see cref="Map(string, IReadOnlyList{ServiceEntry}, DiscoveryQuery, ConsulServiceInstances?)"/>; with
    /// <paramref name="includeFailing"/>, warning and critical instances are kept too (never those in maintenance).
    /// </summary>
    public static ConsulServiceInstance[] Map(string serviceName, IReadOnlyList<ServiceEntry> entries, DiscoveryQuery query, ConsulServiceInstances? previous, bool includeFailing)
    {
        if (entries.Count == 0)
        {
            return [];
        }

        var instances = new List<ConsulServiceInstance>(entries.Count);
        foreach (var entry in entries)
        {
            if (TryCreate(serviceName, entry, query, includeFailing) is { } instance)
            {
                instances.Add(instance);
            }
        }

        instances.Sort(static (a, b) =>
        {
            var byId = string.CompareOrdinal(a.Id, b.Id);
            return byId != 0 ? byId : string.CompareOrdinal(a.Node, b.Node);
        });

        var result = instances.ToArray();
        if (previous is { Count: > 0 })
        {
            ReuseUnchanged(result, previous.AsSpan());
        }

        return result;
    }

    /// <summary>True when both lists hold equal instances in the same order.</summary>
    public static bool SameInstances(ReadOnlySpan<ConsulServiceInstance> left, ReadOnlySpan<ConsulServiceInstance> right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (var i = 0; i < left.Length; i++)
        {
            if (!ReferenceEquals(left[i], right[i]) && !left[i].HasSameContent(right[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Resolves where to reach an instance: the configured tagged address (the service's, then the node's), else the
    /// service address, else the node address (an empty service address means "the node's", docs/consul-http-api.md §7).
    /// </summary>
    public static (string Host, int Port) ResolveAddress(ServiceEntry entry, string? taggedAddress)
    {
        var service = entry.Service;
        if (taggedAddress is not null)
        {
            if (service.TaggedAddresses is { } serviceTagged
                && serviceTagged.TryGetValue(taggedAddress, out var tagged)
                && !string.IsNullOrEmpty(tagged.Address))
            {
                return (tagged.Address, tagged.Port != 0 ? tagged.Port : service.Port);
            }

            if (entry.Node.TaggedAddresses is { } nodeTagged
                && nodeTagged.TryGetValue(taggedAddress, out var nodeAddress)
                && !string.IsNullOrEmpty(nodeAddress))
            {
                return (nodeAddress, service.Port);
            }
        }

        return (string.IsNullOrEmpty(service.Address) ? entry.Node.Address : service.Address, service.Port);
    }

    private static ConsulServiceInstance? TryCreate(string serviceName, ServiceEntry entry, DiscoveryQuery query, bool includeFailing)
    {
        var status = HealthAggregation.Aggregate(entry.Checks);
        var available = status == ConsulCheckStatus.Passing
            || (status == ConsulCheckStatus.Warning && (!query.PassingOnly || includeFailing))
            || (status == ConsulCheckStatus.Critical && includeFailing);
        if (!available)
        {
            return null;
        }

        var (host, port) = ResolveAddress(entry, query.TaggedAddress);
        if (string.IsNullOrEmpty(host) || port is < 0 or > 65535)
        {
            return null;
        }

        var service = entry.Service;
        var meta = service.Meta;
        var scheme = meta is not null && meta.TryGetValue(SchemeMetaKey, out var announced) && Uri.CheckSchemeName(announced)
            ? announced
            : Uri.UriSchemeHttp;
        // Consul's default weights apply when a (hand-written or older) answer has none.
        ServiceWeights? weights = service.Weights;
        var datacenter = !string.IsNullOrEmpty(entry.Node.Datacenter) ? entry.Node.Datacenter : query.Datacenter;
        try
        {
            return new ConsulServiceInstance(
                service.ID,
                string.IsNullOrEmpty(service.Service) ? serviceName : service.Service,
                host,
                port,
                scheme,
                service.Tags,
                meta,
                status.GetValueOrDefault(),
                Math.Max(0, weights?.Passing ?? 1),
                Math.Max(0, weights?.Warning ?? 1),
                datacenter,
                entry.Node.Name)
            {
                IsConnectNative = service.Connect?.Native == true,
            };
        }
        catch (UriFormatException)
        {
            // An address no URI can hold (e.g. with spaces) cannot be called: leave the instance out.
            return null;
        }
    }

    private static void ReuseUnchanged(ConsulServiceInstance[] next, ReadOnlySpan<ConsulServiceInstance> previous)
    {
        // Both are sorted by (id, node): walk them together.
        int i = 0, j = 0;
        while (i < next.Length && j < previous.Length)
        {
            var order = string.CompareOrdinal(next[i].Id, previous[j].Id);
            if (order == 0)
            {
                order = string.CompareOrdinal(next[i].Node, previous[j].Node);
            }

            if (order == 0)
            {
                if (next[i].HasSameContent(previous[j]))
                {
                    next[i] = previous[j];
                }

                i++;
                j++;
            }
            else if (order < 0)
            {
                i++;
            }
            else
            {
                j++;
            }
        }
    }
}
