// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// Failover across datacenters (docs/multi-datacenter.md) on the fake health API: a request carrying <c>dc</c> is a
/// failover datacenter's watch, one without is the local watch.
/// </summary>
public sealed class DatacenterFailoverTests
{
    private static bool AllIn(ConsulServiceInstances instances, string datacenter)
        => instances.Count > 0 && instances.All(i => i.Datacenter == datacenter);

    [Fact]
    public async Task NoLocalInstancePasses_ServesTheFailoverDatacenter_AndReturnsWithTheFirstLocalPassingOne()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.Failover.Datacenters.Add("dc2"));
        using var failovers = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.failovers");
        var first = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("c1"), Entries.Instance("c2", address: "10.0.0.2"));
        Assert.True(AllIn(first, "dc1"));

        // Every local instance turns critical: the panic threshold would serve them all, but dc2 has a passing one.
        var local = await harness.Client.NextRequestInAsync("catalog", datacenter: null);
        local.Respond(11, Entries.Instance("c1", status: "critical"), Entries.Instance("c2", address: "10.0.0.2", status: "critical"));
        var remote = await harness.Client.NextRequestInAsync("catalog", "dc2");
        Assert.Equal(0UL, remote.Options.Index);
        remote.Respond(500, Entries.Instance("c9", address: "10.2.0.9", datacenter: "dc2"));
        var failedOver = await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc2"));
        Assert.Equal("c9", Assert.Single(failedOver).Id);
        Assert.Equal(500UL, failedOver.Index);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryFailoverStarted" && r.Message.Contains("'dc2'", StringComparison.Ordinal));
        Assert.Equal("dc2", Assert.Single(failovers.GetMeasurementSnapshot()).Tags[DiscoveryMetrics.DatacenterTag]);

        // The remote datacenter is watched with a blocking query while it serves.
        var remoteBlocking = await harness.Client.NextRequestInAsync("catalog", "dc2");
        Assert.Equal(500UL, remoteBlocking.Options.Index);

        // One local instance passes again: served at once, and the remote watch stops.
        local = await harness.Client.NextRequestInAsync("catalog", datacenter: null);
        local.Respond(12, Entries.Instance("c1"), Entries.Instance("c2", address: "10.0.0.2", status: "critical"));
        var back = await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc1"));
        Assert.Equal("c1", Assert.Single(back).Id);
        Assert.False(harness.Discovery.IsFailingOver("catalog"));
        await DiscoveryEventually.UntilAsync(() => remoteBlocking.CancellationToken.IsCancellationRequested, "the dc2 watch stopped");
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryFailoverReturned");
    }

    [Fact]
    public async Task FailoverDatacenterUnreachable_DoesNotDisturbLocalDiscovery()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.Failover.Datacenters.Add("dc2"));
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("c1"));
        var local = await harness.Client.NextRequestInAsync("catalog", datacenter: null);
        local.Respond(11, Entries.Instance("c1", status: "critical"));
        var remote = await harness.Client.NextRequestInAsync("catalog", "dc2");
        remote.Fail(ConsulErrorReason.ApiError, System.Net.HttpStatusCode.InternalServerError, "Remote DC has no server currently reachable");
        // The dc2 loop reported the failure (and the name was recomposed) before it waits for its retry.
        await harness.Time.NextDelayAsync();
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryFailoverDatacenterFailed");

        // Local discovery goes on as without failover: the local instance (in panic), fresh, and local changes arrive.
        Assert.True(harness.Discovery.TryGetCached("catalog", out var during));
        Assert.False(during.IsStale);
        Assert.Equal("dc1", Assert.Single(during).Datacenter);
        local = await harness.Client.NextRequestInAsync("catalog", datacenter: null);
        local.Respond(12, Entries.Instance("c1"), Entries.Instance("c3", address: "10.0.0.3"));
        var after = await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => i.Count == 2);
        Assert.False(after.IsStale);
        Assert.True(AllIn(after, "dc1"));
    }

    [Fact]
    public async Task FirstFailoverDatacenterWithAPassingInstanceServes_InTheListedOrder()
    {
        await using var harness = new DiscoveryHarness(o =>
        {
            o.Discovery.Failover.Datacenters.Add("dc2");
            o.Discovery.Failover.Datacenters.Add("dc3");
        });
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("c1"));
        (await harness.Client.NextRequestInAsync("catalog", datacenter: null)).Respond(11, Entries.Instance("c1", status: "critical"));

        // dc2 has instances, none passing (its own panic would serve them): dc3's passing one is served instead.
        (await harness.Client.NextRequestInAsync("catalog", "dc2")).Respond(20, Entries.Instance("c2", datacenter: "dc2", status: "critical"));
        (await harness.Client.NextRequestInAsync("catalog", "dc3")).Respond(30, Entries.Instance("c3", datacenter: "dc3"));
        await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc3"));

        // dc2 gets a passing instance: it comes first in the list, so it serves.
        (await harness.Client.NextRequestInAsync("catalog", "dc2")).Respond(21, Entries.Instance("c2", datacenter: "dc2"));
        await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc2"));
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryFailoverMoved");
    }

    [Fact]
    public async Task NearestN_TriesTheNearestOtherDatacenterByConsulsOrder()
    {
        var catalog = new FakeConsulCatalogApi { Datacenters = static () => ["dc1", "dc3", "dc2"] };
        await using var harness = new DiscoveryHarness(o => o.Discovery.Failover.NearestN = 1, catalog: catalog);
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("c1"));
        (await harness.Client.NextRequestInAsync("catalog", datacenter: null)).Respond(11, Entries.Instance("c1", status: "critical"));
        (await harness.Client.NextRequestInAsync("catalog", "dc3")).Respond(30, Entries.Instance("c3", datacenter: "dc3"));
        await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc3"));
        Assert.DoesNotContain(harness.Client.Sent, r => r.Options.Datacenter == "dc2");
    }

    [Fact]
    public async Task WithoutPanic_AnEmptiedLocalListFailsOverOnlyAfterTheLocalVoidGrace()
    {
        await using var harness = new DiscoveryHarness(o =>
        {
            o.Discovery.PanicThreshold = 0;
            o.Discovery.Failover.Datacenters.Add("dc2");
        });
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("c1"));

        // The local answer empties the list: the void grace holds the last known instance; no other datacenter is asked.
        (await harness.Client.NextRequestInAsync("catalog", datacenter: null)).Respond(11);
        var held = await harness.Client.NextRequestInAsync("catalog", datacenter: null);
        Assert.True(harness.Discovery.TryGetCached("catalog", out var during));
        Assert.Equal("c1", Assert.Single(during).Id);
        Assert.False(harness.Discovery.IsFailingOver("catalog"));

        // The grace ends with the list still empty: now the name fails over.
        harness.Time.Advance(harness.Options.Discovery.VoidGracePeriod);
        held.Respond(12);
        (await harness.Client.NextRequestInAsync("catalog", "dc2")).Respond(30, Entries.Instance("c3", datacenter: "dc2"));
        await DiscoveryEventually.InstancesAsync(harness.Discovery, "catalog", i => AllIn(i, "dc2"));
    }

    [Theory]
    [InlineData(new[] { "dc1", "dc2", "dc3" }, 1, new[] { "dc4" }, new[] { "dc2" })]
    [InlineData(new[] { "dc1", "dc3", "dc2" }, 2, new[] { "dc2", "dc4" }, new[] { "dc3", "dc2" })]
    [InlineData(new[] { "dc1", "dc2", "dc4" }, 1, new[] { "dc4", "dc1", "dc9" }, new[] { "dc2", "dc4" })]
    [InlineData(new[] { "dc1" }, 3, new[] { "dc2" }, new string[0])]
    public void Candidates_NearestFirstThenTheList_SkippingLocalRepeatsAndUnknown(string[] known, int nearest, string[] listed, string[] expected)
        => Assert.Equal(expected, new FailoverPlan(listed, nearest, LocalDatacenter: null).Candidates(known));

    [Fact]
    public void Candidates_WithoutConsulsList_AreTheListedOnes_WithoutTheConfiguredLocalDatacenter()
        => Assert.Equal(["dc3", "dc2"], new FailoverPlan(["dc3", "dc1", "dc2"], 2, LocalDatacenter: "dc1").Candidates(known: null));

    [Fact]
    public void Plan_PerServiceOverrideReplacesTheDefault_AndNearestNZeroTurnsItOff()
    {
        var options = new ConsulOptions();
        options.Discovery.Failover.Datacenters.Add("dc2");
        options.Discovery.Services["payments"] = new ConsulServiceQueryOptions { Datacenter = "dc5" };
        options.Discovery.Services["payments"].Failover.Datacenters.Add("dc6");
        options.Discovery.Services["audit"] = new ConsulServiceQueryOptions();
        options.Discovery.Services["audit"].Failover.NearestN = 0;

        Assert.Equal(["dc2"], FailoverPlan.Create("catalog", options)!.Datacenters);
        var payments = FailoverPlan.Create("payments", options)!;
        Assert.Equal(["dc6"], payments.Datacenters);
        Assert.Equal("dc5", payments.LocalDatacenter);
        Assert.Null(FailoverPlan.Create("audit", options));
    }
}
