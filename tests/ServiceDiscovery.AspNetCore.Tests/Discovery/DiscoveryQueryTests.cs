// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>What the watch sends to Consul: defaults, filters and per-service overrides.</summary>
public sealed class DiscoveryQueryTests
{
    [Fact]
    public async Task Watch_Defaults_AskPassingOnlyWithNoFilters()
    {
        await using var harness = new DiscoveryHarness();
        _ = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask();

        var request = await harness.Client.NextRequestAsync();

        // The panic threshold (on by default) needs the failing instances too: they are filtered out client-side.
        Assert.False(request.Query.PassingOnly);
        Assert.Empty(request.Query.Tags);
        Assert.Null(request.Options.Filter);
        Assert.Null(request.Options.Datacenter);
        Assert.Equal(ConsulConsistencyMode.Default, request.Options.Consistency);
    }

    [Fact]
    public async Task Watch_ConfiguredFilters_AreSent()
    {
        await using var harness = new DiscoveryHarness(o =>
        {
            o.Discovery.PassingOnly = false;
            o.Discovery.Tags.Add("v1");
            o.Discovery.Tags.Add("blue");
            o.Discovery.Filter = "Service.Meta.version == \"2\"";
            o.Discovery.Consistency = ConsulConsistencyMode.Stale;
        });
        _ = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask();

        var request = await harness.Client.NextRequestAsync();

        // Consul's passing flag would drop warning instances too: they are filtered client-side instead.
        Assert.False(request.Query.PassingOnly);
        Assert.Equal(["v1", "blue"], request.Query.Tags);
        Assert.Equal("Service.Meta.version == \"2\"", request.Options.Filter);
        Assert.Equal(ConsulConsistencyMode.Stale, request.Options.Consistency);
    }

    [Fact]
    public void Create_PerServiceOverride_WinsForThatNameOnly()
    {
        var options = new ConsulOptions();
        options.Discovery.Tags.Add("v1");
        options.Discovery.TaggedAddress = "lan";
        var overrides = new ConsulServiceQueryOptions
        {
            PassingOnly = false,
            Datacenter = "dc2",
            Consistency = ConsulConsistencyMode.Consistent,
            TaggedAddress = "wan",
            Filter = "Service.Port == 443",
        };
        overrides.Tags.Add("v2");
        options.Discovery.Services["Payments"] = overrides;

        var payments = DiscoveryQuery.Create("payments", options);
        var catalog = DiscoveryQuery.Create("catalog", options);

        Assert.False(payments.PassingOnly);
        Assert.Equal(["v2"], payments.Tags);
        Assert.Equal("dc2", payments.Datacenter);
        Assert.Equal(ConsulConsistencyMode.Consistent, payments.Consistency);
        Assert.Equal("wan", payments.TaggedAddress);
        Assert.Equal("Service.Port == 443", payments.ToQueryOptions(1, TimeSpan.FromMinutes(1)).Filter);

        Assert.True(catalog.PassingOnly);
        Assert.Equal(["v1"], catalog.Tags);
        Assert.Null(catalog.Datacenter);
        Assert.Equal("lan", catalog.TaggedAddress);
    }

    [Fact]
    public void Create_OverrideWithoutTags_KeepsDefaultTags()
    {
        var options = new ConsulOptions();
        options.Discovery.Tags.Add("v1");
        options.Discovery.Services["catalog"] = new ConsulServiceQueryOptions { PassingOnly = false };

        Assert.Equal(["v1"], DiscoveryQuery.Create("catalog", options).Tags);
    }
}
