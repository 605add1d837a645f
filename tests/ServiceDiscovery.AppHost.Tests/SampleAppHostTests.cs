// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>
/// samples/AppHost end to end, through the real processes the orchestrator started: the dev agent lists both catalog
/// instances and orders as passing, orders reaches catalog through Consul discovery, and the gateway's
/// <c>/catalog/...</c> route spreads requests over both catalog instances.
/// </summary>
[Collection(SampleAppHostFixture.Collection)]
public sealed class SampleAppHostTests(SampleAppHostFixture sample) : IClassFixture<SampleAppHostFixture>
{
    private readonly SampleProbe _probe = new(sample);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DevAgent_ListsTwoPassingCatalogInstancesAndOrders()
    {
        _probe.ReportStartUp();

        var catalog = await _probe.PassingInstancesAsync("catalog", count: 2);
        var orders = await _probe.PassingInstancesAsync("orders", count: 1);

        Assert.Equal(2, catalog.Distinct().Count());
        Assert.Single(orders);
    }

    [Fact]
    public async Task Orders_CallsCatalogThroughDiscovery()
    {
        var catalog = await _probe.PassingInstancesAsync("catalog", count: 2);
        using var http = new HttpClient { BaseAddress = sample.Endpoint("orders") };

        // Orders' own view of catalog fills from a blocking query of the agent; until then its call may fail.
        var answer = await _probe.EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri("/catalog/instance", UriKind.Relative), Ct);
            return response.IsSuccessStatusCode ? (true, await response.Content.ReadFromJsonAsync<JsonElement>(Ct)) : (false, default);
        }, "orders' GET /catalog/instance to succeed", "orders");

        Assert.Contains(answer.GetProperty("id").GetString(), catalog);
        Assert.Equal("catalog", answer.GetProperty("name").GetString());
        Assert.True(answer.GetProperty("registered").GetBoolean());
    }

    [Fact]
    public async Task Gateway_CatalogRoute_ReachesBothCatalogInstances()
    {
        var catalog = await _probe.PassingInstancesAsync("catalog", count: 2);
        var seen = await _probe.CatalogIdsThroughTheGatewayAsync("the gateway to reach both catalog instances");

        Assert.Equal(catalog.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }
}
