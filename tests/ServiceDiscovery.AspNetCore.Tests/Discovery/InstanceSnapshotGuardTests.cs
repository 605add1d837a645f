// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The void grace period and the panic threshold, driven through a watch with fake time and the health fake.</summary>
public sealed class InstanceSnapshotGuardTests
{
    private static ConsulServiceInstances Cached(DiscoveryHarness harness)
    {
        Assert.True(harness.Discovery.TryGetCached("catalog", out var instances));
        return instances;
    }

    [Fact]
    public async Task AgentRestartsEmpty_ServesLastKnownUntilGraceEndsThenBelievesTheVoid()
    {
        await using var harness = new DiscoveryHarness();
        using var activations = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.guard.activations");
        using var age = new MetricCollector<double>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.snapshot.age");
        var known = await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));

        // The restarted agent answers with a lower index and nothing registered.
        (await harness.Client.NextRequestAsync()).Respond(3);
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        var during = await harness.Client.NextRequestAsync();

        Assert.Same(known, Cached(harness));
        Assert.Equal(TimeSpan.FromSeconds(9), during.Options.Wait);
        Assert.Equal(0UL, during.Options.Index);
        var activation = Assert.Single(activations.GetMeasurementSnapshot());
        Assert.Equal(DiscoveryMetrics.GraceKind, activation.Tags["consul.discovery.guard"]);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Id == 3020 && r.Level == LogLevel.Warning);

        harness.Time.Advance(TimeSpan.FromSeconds(3));
        age.RecordObservableInstruments();
        Assert.Equal(4, age.LastMeasurement!.Value);

        // Still empty when the grace period is over: the void is believed.
        harness.Time.Advance(TimeSpan.FromSeconds(6));
        during.Respond(3);
        await harness.Client.NextRequestAsync();

        Assert.Empty(Cached(harness));
        Assert.True(known.ChangeToken.HasChanged);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Id == 3022);
        Assert.Single(activations.GetMeasurementSnapshot());
    }

    /// <summary>The warning names the setting under the section the app bound (set there by the options' post-configuration).</summary>
    [Fact]
    public async Task GraceWarning_NamesTheSettingUnderTheBoundSection()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.SectionPath = "Apps:Orders:Discovery");
        await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));

        (await harness.Client.NextRequestAsync()).Respond(3);
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        await harness.Client.NextRequestAsync();

        var warning = Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryVoidGraceStarted");
        Assert.Equal("Apps:Orders:Discovery:VoidGracePeriod", warning.GetStructuredStateValue("SettingKey"));
    }

    [Fact]
    public async Task VoidThenInstancesBack_SettlesBeforeGraceEnds()
    {
        await using var harness = new DiscoveryHarness();
        var known = await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));
        (await harness.Client.NextRequestAsync()).Respond(101);
        var during = await harness.Client.NextRequestAsync();
        Assert.Same(known, Cached(harness));

        during.Respond(102, Entries.Instance("catalog-3", address: "10.0.0.3"), Entries.Instance("catalog-4", address: "10.0.0.4"));
        var after = await harness.Client.NextRequestAsync();

        Assert.Equal(["catalog-3", "catalog-4"], Cached(harness).Select(i => i.Id));
        Assert.Equal(TimeSpan.FromMinutes(5), after.Options.Wait);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Id == 3021);
    }

    [Fact]
    public async Task TenToTwoWithIndexMovingForward_HeldForTheWholeGrace_BelievedWhenItEnds()
    {
        await using var harness = new DiscoveryHarness();
        using var activations = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.guard.activations");
        using var age = new MetricCollector<double>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.snapshot.age");
        var ten = Enumerable.Range(1, 10).Select(i => Entries.Instance($"catalog-{i}", address: $"10.0.0.{i}")).ToArray();
        var known = await harness.FirstLookupAsync("catalog", 100, ten);

        // Two of ten: below half of the known list, although Consul's index moved forward.
        (await harness.Client.NextRequestAsync()).Respond(101, ten[0], ten[1]);
        var during = await harness.Client.NextRequestAsync();
        Assert.Same(known, Cached(harness));
        Assert.Equal(TimeSpan.FromSeconds(10), during.Options.Wait);

        // Still two, one tick before the grace ends: still held.
        harness.Time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        during.Respond(102, ten[0], ten[1]);
        var last = await harness.Client.NextRequestAsync();
        Assert.Same(known, Cached(harness));
        Assert.Equal(TimeSpan.FromSeconds(1), last.Options.Wait);

        // The held answers did not confirm the served instances: their age runs from the last believed answer.
        age.RecordObservableInstruments();
        Assert.Equal((TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1)).TotalSeconds, age.LastMeasurement!.Value, precision: 6);

        // Still two when the grace period is over (exactly 10 s after it started): believed.
        harness.Time.Advance(TimeSpan.FromTicks(1));
        last.Respond(103, ten[0], ten[1]);
        var after = await harness.Client.NextRequestAsync();

        Assert.Equal(["catalog-1", "catalog-2"], Cached(harness).Select(i => i.Id));
        Assert.Equal(103UL, Cached(harness).Index);
        Assert.Equal(TimeSpan.FromMinutes(5), after.Options.Wait);
        Assert.True(known.ChangeToken.HasChanged);
        Assert.Single(activations.GetMeasurementSnapshot());
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryVoidGraceExpired");
    }

    [Fact]
    public async Task GrowthFromOneToFour_IsBelievedAtOnce()
    {
        await using var harness = new DiscoveryHarness();
        using var activations = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.guard.activations");
        await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"));

        (await harness.Client.NextRequestAsync()).Respond(
            101,
            Entries.Instance("catalog-1"),
            Entries.Instance("catalog-2", address: "10.0.0.2"),
            Entries.Instance("catalog-3", address: "10.0.0.3"),
            Entries.Instance("catalog-4", address: "10.0.0.4"));
        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(4, Cached(harness).Count);
        Assert.Equal(TimeSpan.FromMinutes(5), next.Options.Wait);
        Assert.Empty(activations.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task IndexBackwardsWithSameInstances_IsBelievedAtOnce()
    {
        await using var harness = new DiscoveryHarness();
        using var activations = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.guard.activations");
        await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));

        (await harness.Client.NextRequestAsync()).Respond(7, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"), Entries.Instance("catalog-3", address: "10.0.0.3"));
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(3, Cached(harness).Count);
        Assert.Equal(TimeSpan.FromMinutes(5), next.Options.Wait);
        Assert.Empty(activations.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task FewerThanThresholdPass_BalancesOverAllRegisteredButNotMaintenance()
    {
        await using var harness = new DiscoveryHarness();
        using var activations = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.guard.activations");
        var first = await harness.FirstLookupAsync(
            "catalog",
            10,
            Entries.Instance("catalog-1"),
            Entries.Instance("catalog-2", address: "10.0.0.2", status: "critical"),
            Entries.Instance("catalog-3", address: "10.0.0.3", status: "critical"),
            Entries.Instance("catalog-4", address: "10.0.0.4", extraChecks: Entries.Check("_service_maintenance:catalog-4", "critical", "catalog-4")));

        Assert.Equal(["catalog-1", "catalog-2", "catalog-3"], first.Select(i => i.Id));
        var activation = Assert.Single(activations.GetMeasurementSnapshot());
        Assert.Equal(DiscoveryMetrics.PanicKind, activation.Tags["consul.discovery.guard"]);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Id == 3023);

        // Half pass: not fewer than the threshold, so only those.
        var blocking = await harness.Client.NextRequestAsync();
        Assert.False(blocking.Query.PassingOnly);
        blocking.Respond(11, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"), Entries.Instance("catalog-3", address: "10.0.0.3", status: "critical"));
        await harness.Client.NextRequestAsync();

        Assert.Equal(["catalog-1", "catalog-2"], Cached(harness).Select(i => i.Id));
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Id == 3024);
    }

    [Fact]
    public async Task BothOff_EmptyAnswerIsServedAtOnceAndOnlyPassingAsked()
    {
        await using var harness = new DiscoveryHarness(o =>
        {
            o.Discovery.VoidGracePeriod = TimeSpan.Zero;
            o.Discovery.PanicThreshold = 0;
        });
        await harness.FirstLookupAsync("catalog", 100, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();
        Assert.True(blocking.Query.PassingOnly);

        blocking.Respond(3);
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        await harness.Client.NextRequestAsync();

        Assert.Empty(Cached(harness));
    }

    [Theory]
    [InlineData(-1.0, "Consul:Discovery:PanicThreshold must be between 0 (off) and 1; got '-1'.")]
    [InlineData(1.5, "Consul:Discovery:PanicThreshold must be between 0 (off) and 1; got '1.5'.")]
    [InlineData(double.NaN, "Consul:Discovery:PanicThreshold must be between 0 (off) and 1; got 'NaN'.")]
    public void Validate_PanicThresholdOutOfRange_NamesTheKey(double threshold, string expected)
    {
        var options = new ConsulOptions();
        options.Discovery.PanicThreshold = threshold;
        Assert.StartsWith(expected, new ConsulDiscoveryCacheOptionsValidator().Validate(null, options).FailureMessage);
    }

    [Theory]
    [InlineData("-00:00:01", "Consul:Discovery:VoidGracePeriod must be zero (off) or more; got '-00:00:01'.")]
    [InlineData("00:11:00", "Consul:Discovery:VoidGracePeriod '00:11:00' is longer than the limit of '00:10:00'")]
    public void Validate_VoidGracePeriodOutOfRange_NamesTheKey(string value, string expected)
    {
        var options = new ConsulOptions();
        options.Discovery.VoidGracePeriod = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.StartsWith(expected, new ConsulDiscoveryCacheOptionsValidator().Validate(null, options).FailureMessage);
    }
}
