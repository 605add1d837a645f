// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Health entries to instances: availability filter, address resolution, scheme, ordering and identity.</summary>
public sealed class ServiceInstanceMapperTests
{
    private static readonly DiscoveryQuery PassingOnly = DiscoveryQuery.Create("catalog", new ConsulOptions());

    private static DiscoveryQuery Query(Action<ConsulDiscoveryCacheOptions> configure)
    {
        var options = new ConsulOptions();
        configure(options.Discovery);
        return DiscoveryQuery.Create("catalog", options);
    }

    private static ConsulServiceInstance Single(ServiceEntry entry, DiscoveryQuery? query = null)
        => Assert.Single(ServiceInstanceMapper.Map("catalog", [entry], query ?? PassingOnly, previous: null));

    [Fact]
    public void Map_PassingOnly_DropsWarningCriticalAndMaintenance()
    {
        ServiceEntry[] entries =
        [
            Entries.Instance("a", status: "passing"),
            Entries.Instance("b", status: "warning"),
            Entries.Instance("c", status: "critical"),
            Entries.Instance("d", status: "passing", extraChecks: Entries.Check("_service_maintenance:d", "critical", "d")),
        ];

        var instances = ServiceInstanceMapper.Map("catalog", entries, PassingOnly, previous: null);

        Assert.Equal(["a"], instances.Select(i => i.Id));
    }

    [Fact]
    public void Map_IncludingWarning_KeepsWarningWithItsStatusAndWeight()
    {
        var query = Query(o => o.PassingOnly = false);
        ServiceEntry[] entries =
        [
            Entries.Instance("a", status: "passing", weights: new ServiceWeights(10, 1)),
            Entries.Instance("b", status: "warning", weights: new ServiceWeights(10, 1)),
            Entries.Instance("c", status: "critical"),
            Entries.Instance("d", extraChecks: Entries.Check("_node_maintenance", "critical")),
        ];

        var instances = ServiceInstanceMapper.Map("catalog", entries, query, previous: null);

        Assert.Equal(["a", "b"], instances.Select(i => i.Id));
        Assert.Equal(ConsulCheckStatus.Warning, instances[1].CheckStatus);
        Assert.Equal(10, instances[0].Weight);
        Assert.Equal(1, instances[1].Weight);
        Assert.False(query.HealthQuery.PassingOnly);
    }

    [Fact]
    public void Map_NodeCheckFailing_DropsTheInstance()
    {
        var entry = Entries.Instance("a", extraChecks: Entries.Check("serfHealth2", "critical"));

        Assert.Empty(ServiceInstanceMapper.Map("catalog", [entry], Query(o => o.PassingOnly = false), previous: null));
    }

    [Fact]
    public void Map_SortsByIdThenNode()
    {
        ServiceEntry[] entries =
        [
            Entries.Instance("b"),
            Entries.Instance("a", node: "node2"),
            Entries.Instance("a", node: "node1"),
        ];

        var instances = ServiceInstanceMapper.Map("catalog", entries, PassingOnly, previous: null);

        Assert.Equal(["a/node1", "a/node2", "b/node1"], instances.Select(i => $"{i.Id}/{i.Node}"));
    }

    [Fact]
    public void Map_UnchangedInstance_KeepsIdentityChangedOneDoesNot()
    {
        var first = ServiceInstanceMapper.Map("catalog", [Entries.Instance("a"), Entries.Instance("b")], PassingOnly, previous: null);
        var previous = new ConsulServiceInstances("catalog", first);

        var second = ServiceInstanceMapper.Map("catalog", [Entries.Instance("b", port: 9090), Entries.Instance("a")], PassingOnly, previous);

        Assert.Same(first[0], second[0]);
        Assert.NotSame(first[1], second[1]);
        Assert.Equal(9090, second[1].Port);
        Assert.False(ServiceInstanceMapper.SameInstances(first, second));
    }

    [Fact]
    public void Map_ServiceAddress_IsUsed()
    {
        var instance = Single(Entries.Instance("a", address: "10.0.0.5", port: 8080, nodeAddress: "10.0.0.100"));

        Assert.Equal("10.0.0.5", instance.Address);
        Assert.Equal(new Uri("http://10.0.0.5:8080/"), instance.Uri);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 8080), instance.EndPoint);
    }

    [Fact]
    public void Map_EmptyServiceAddress_FallsBackToNodeAddress()
    {
        var instance = Single(Entries.Instance("a", address: "", nodeAddress: "10.0.0.100"));

        Assert.Equal("10.0.0.100", instance.Address);
    }

    [Theory]
    [InlineData("::1", "http://[::1]:8080/")]
    [InlineData("2001:db8::5", "http://[2001:db8::5]:8080/")]
    public void Map_Ipv6Address_IsBracketedInTheUri(string address, string expected)
    {
        var instance = Single(Entries.Instance("a", address: address));

        Assert.Equal(address, instance.Address);
        Assert.Equal(expected, instance.Uri.AbsoluteUri);
        Assert.Equal(8080, instance.Uri.Port);
    }

    [Fact]
    public void Map_Ipv6WithZone_EscapesTheZoneInTheUri()
    {
        var instance = Single(Entries.Instance("a", address: "fe80::1%2"));

        Assert.Equal("http://[fe80::1%252]:8080/", instance.Uri.OriginalString);
        Assert.Equal(8080, instance.Uri.Port);
    }

    [Fact]
    public void Map_HostName_GivesDnsEndPoint()
    {
        var instance = Single(Entries.Instance("a", address: "catalog.internal", port: 443, meta: new Dictionary<string, string> { ["scheme"] = "https" }));

        Assert.Equal(new DnsEndPoint("catalog.internal", 443), instance.EndPoint);
        Assert.Equal(new Uri("https://catalog.internal:443/"), instance.Uri);
        Assert.Equal("https", instance.Scheme);
    }

    [Theory]
    [InlineData("HTTPS", "https")]
    [InlineData("not a scheme", "http")]
    [InlineData("", "http")]
    public void Map_SchemeMeta_IsUsedWhenValid(string scheme, string expected)
    {
        var instance = Single(Entries.Instance("a", meta: new Dictionary<string, string> { ["scheme"] = scheme }));

        Assert.Equal(expected, instance.Scheme);
        Assert.Equal(expected, instance.Uri.Scheme);
    }

    [Fact]
    public void Map_NoPort_UriUsesTheSchemeDefault()
    {
        var instance = Single(Entries.Instance("a", port: 0));

        Assert.Equal(0, instance.Port);
        Assert.Equal("http://10.0.0.1/", instance.Uri.AbsoluteUri);
    }

    [Fact]
    public void Map_TaggedAddress_PrefersServiceThenNodeThenDefault()
    {
        var query = Query(o => o.TaggedAddress = "wan");
        var serviceTagged = Entries.Instance(
            "a",
            taggedAddresses: new Dictionary<string, ServiceAddress> { ["wan"] = new("198.18.0.1", 80) },
            nodeTaggedAddresses: new Dictionary<string, string> { ["wan"] = "198.18.0.100" });
        var nodeTagged = Entries.Instance("b", port: 8081, nodeTaggedAddresses: new Dictionary<string, string> { ["wan"] = "198.18.0.100" });
        var untagged = Entries.Instance("c", address: "10.0.0.3");

        var instances = ServiceInstanceMapper.Map("catalog", [serviceTagged, nodeTagged, untagged], query, previous: null);

        Assert.Equal(["http://198.18.0.1/", "http://198.18.0.100:8081/", "http://10.0.0.3:8080/"], instances.Select(i => i.Uri.AbsoluteUri));
    }

    [Fact]
    public void Map_TaggedAddressWithoutPort_KeepsServicePort()
    {
        var entry = Entries.Instance("a", port: 8080, taggedAddresses: new Dictionary<string, ServiceAddress> { ["lan_ipv4"] = new("10.1.0.1", 0) });

        var instance = Single(entry, Query(o => o.TaggedAddress = "lan_ipv4"));

        Assert.Equal("http://10.1.0.1:8080/", instance.Uri.AbsoluteUri);
    }

    [Fact]
    public void Map_CarriesConsulFields()
    {
        var entry = Entries.Instance(
            "a",
            node: "node7",
            tags: ["v1", "blue"],
            meta: new Dictionary<string, string> { ["version"] = "1.2" },
            weights: new ServiceWeights(5, 2));

        var instance = Single(entry);

        Assert.Equal("catalog", instance.ServiceName);
        Assert.Equal("node7", instance.Node);
        Assert.Equal("dc1", instance.Datacenter);
        Assert.Equal(["v1", "blue"], instance.Tags);
        Assert.Equal("1.2", instance.Meta["version"]);
        Assert.Equal(5, instance.PassingWeight);
        Assert.Equal(2, instance.WarningWeight);
        Assert.Equal(ConsulCheckStatus.Passing, instance.CheckStatus);
    }

    [Fact]
    public void Map_UnusableAddress_LeavesInstanceOut()
    {
        var entry = Entries.Instance("a", address: "", nodeAddress: "");

        Assert.Empty(ServiceInstanceMapper.Map("catalog", [entry], PassingOnly, previous: null));
    }
}
