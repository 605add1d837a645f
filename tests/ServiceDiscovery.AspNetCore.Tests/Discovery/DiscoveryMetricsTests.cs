// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

public sealed class DiscoveryMetricsTests
{
    [Fact]
    public async Task Metrics_CountWatchesUpdatesLookupsErrorsAndStaleness()
    {
        await using var harness = new DiscoveryHarness();
        using var watches = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.watches");
        using var staleWatches = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.stale_watches");
        using var updates = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.updates");
        using var lookups = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.lookups");
        using var staleLookups = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.stale_lookups");
        using var errors = new MetricCollector<long>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.watch.errors");

        await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();
        blocking.Fail();
        await harness.Time.NextDelayAsync();
        Assert.True(harness.Discovery.TryGetCached("catalog", out _));

        Assert.Equal(1, watches.LastMeasurement?.Value);
        Assert.Equal(1, Assert.Single(updates.GetMeasurementSnapshot()).Value);
        Assert.Equal("catalog", updates.LastMeasurement?.Tags[DiscoveryMetrics.ServiceNameTag]);
        Assert.Equal(2, lookups.GetMeasurementSnapshot().Count);
        Assert.Single(staleLookups.GetMeasurementSnapshot());
        Assert.Equal(1, staleWatches.LastMeasurement?.Value);
        Assert.Equal("connection_error", errors.LastMeasurement?.Tags["error.type"]);

        await harness.Discovery.DisposeAsync();

        Assert.Equal(-1, watches.LastMeasurement?.Value);
        Assert.Equal(-1, staleWatches.LastMeasurement?.Value);
    }
}
