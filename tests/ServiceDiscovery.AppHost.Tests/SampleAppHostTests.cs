// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>
/// samples/AppHost end to end, through the real processes the orchestrator started: the dev agent lists both catalog
/// instances and orders as passing, orders reaches catalog through Consul discovery, and the gateway's
/// <c>/catalog/...</c> route spreads requests over both catalog instances.
/// </summary>
public sealed class SampleAppHostTests(SampleAppHostFixture sample) : IClassFixture<SampleAppHostFixture>
{
    // Registration follows Kestrel's start and a check's first pass (catalog checks every 2 s), so it lags "running".
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DevAgent_ListsTwoPassingCatalogInstancesAndOrders()
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"all resources running and healthy after {sample.TimeToHealthy.TotalSeconds:0.0} s ({sample.HealthyAfter})");

        var catalog = await PassingInstancesAsync("catalog", count: 2);
        var orders = await PassingInstancesAsync("orders", count: 1);

        Assert.Equal(2, catalog.Distinct().Count());
        Assert.Single(orders);
    }

    [Fact]
    public async Task Orders_CallsCatalogThroughDiscovery()
    {
        var catalog = await PassingInstancesAsync("catalog", count: 2);
        using var http = new HttpClient { BaseAddress = sample.Endpoint("orders") };

        // Orders' own view of catalog fills from a blocking query of the agent; until then its call may fail.
        var answer = await EventuallyAsync(async () =>
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
        var catalog = await PassingInstancesAsync("catalog", count: 2);
        using var http = new HttpClient { BaseAddress = sample.Endpoint("gateway") };

        var seen = new HashSet<string>();
        await EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri("/catalog/instance", UriKind.Relative), Ct);
            if (response.IsSuccessStatusCode)
            {
                var instance = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                seen.Add(instance.GetProperty("id").GetString()!);
            }

            return (seen.Count == 2, seen);
        }, "the gateway to reach both catalog instances", "gateway");

        Assert.Equal(catalog.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    /// <summary>The service IDs the agent's <c>/v1/health/service/{name}?passing</c> lists, once it lists <paramref name="count"/>.</summary>
    private async Task<string[]> PassingInstancesAsync(string service, int count)
    {
        using var http = new HttpClient { BaseAddress = sample.Endpoint("consul") };
        return await EventuallyAsync(async () =>
        {
            var entries = await http.GetFromJsonAsync<JsonElement>(new Uri($"/v1/health/service/{service}?passing", UriKind.Relative), Ct);
            var ids = entries.EnumerateArray().Select(e => e.GetProperty("Service").GetProperty("ID").GetString()!).ToArray();
            return (ids.Length == count, ids);
        }, $"the agent to list {count} passing {service} instance(s)", service == "catalog" ? "catalog-1" : service);
    }

    /// <summary>Runs <paramref name="attempt"/> until it says it is done, or fails after <see cref="Deadline"/> with <paramref name="resource"/>'s output.</summary>
    private async Task<T> EventuallyAsync<T>(Func<Task<(bool Done, T Value)>> attempt, string what, string resource)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(Deadline);
        Exception? last = null;
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                var (done, value) = await attempt();
                if (done)
                {
                    TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {elapsed.Elapsed.TotalSeconds:0.0} s");
                    return value;
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(Poll, deadline.Token);
            }
            catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
            {
            }
        }

        Ct.ThrowIfCancellationRequested();
        throw new TimeoutException($"Waited {Deadline.TotalSeconds:0} s for {what}. Last error: {last?.Message ?? "none"}{Environment.NewLine}{resource}'s output:{Environment.NewLine}{sample.LastLogLines(resource)}");
    }
}
