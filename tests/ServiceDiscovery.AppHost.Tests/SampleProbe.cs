// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>Waits on facts of a running sample (what the agent lists, what an app answers), with a deadline and the resource's output on failure.</summary>
internal sealed class SampleProbe(SampleAppHostFixture sample)
{
    // Registration follows Kestrel's start and a check's first pass (catalog checks every 2 s), so it lags "running".
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The service entries the agent's <c>/v1/health/service/{name}?passing</c> lists, once it lists <paramref name="count"/>.</summary>
    public async Task<JsonElement[]> PassingEntriesAsync(string service, int count)
    {
        using var http = new HttpClient { BaseAddress = sample.Endpoint("consul") };
        return await EventuallyAsync(async () =>
        {
            var entries = await http.GetFromJsonAsync<JsonElement>(new Uri($"/v1/health/service/{service}?passing", UriKind.Relative), Ct);
            var services = entries.EnumerateArray().Select(e => e.GetProperty("Service").Clone()).ToArray();
            return (services.Length == count, services);
        }, $"the agent to list {count} passing {service} instance(s)", service == "catalog" ? "catalog-1" : service);
    }

    /// <summary>The service IDs the agent lists as passing, once it lists <paramref name="count"/>.</summary>
    public async Task<string[]> PassingInstancesAsync(string service, int count) =>
        [.. (await PassingEntriesAsync(service, count)).Select(s => s.GetProperty("ID").GetString()!)];

    /// <summary>Writes how long the sample took to be running and healthy, to the test's output.</summary>
    public void ReportStartUp() =>
        TestContext.Current.TestOutputHelper?.WriteLine($"all resources running and healthy after {sample.TimeToHealthy.TotalSeconds:0.0} s ({sample.HealthyAfter})");

    /// <summary>The catalog instance IDs that <c>GET /catalog/instance</c> through the gateway's YARP route answered, once it has reached two.</summary>
    public async Task<HashSet<string>> CatalogIdsThroughTheGatewayAsync(string what)
    {
        using var http = new HttpClient { BaseAddress = sample.Endpoint("gateway") };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return await EventuallyAsync(async () =>
        {
            using var response = await http.GetAsync(new Uri("/catalog/instance", UriKind.Relative), Ct);
            if (response.IsSuccessStatusCode)
            {
                seen.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!);
            }

            return (seen.Count == 2, seen);
        }, what, "gateway");
    }

    /// <summary>Runs <paramref name="attempt"/> until it says it is done, or fails after the deadline with <paramref name="resource"/>'s output.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<(bool Done, T Value)>> attempt, string what, string resource)
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
