// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.Consul.Testing;

namespace Demo;

/// <summary>
/// The multi-datacenter step (docs/multi-datacenter.md): two federated test datacenters, a catalog instance in each,
/// orders in dc1 with <c>Consul:Discovery:Failover:Datacenters = [dc2]</c> under steady load through the standard
/// resilience handler. dc1's catalog turns critical, then passes again; the step counts failed calls and prints how long
/// after Consul showed each change the calls switched.
/// </summary>
internal static class DatacenterFailoverStep
{
    /// <summary>Runs the step; returns the lines to print. Throws <see cref="DemoStepFailedException"/> when a call fails or a switch does not happen.</summary>
    public static async Task<string> RunAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var cluster = await ConsulTestCluster.StartDatacentersAsync(
            [new() { Name = "dc1" }, new() { Name = "dc2", WanPosition = new Vector2(30, 0) }],
            cancellationToken: cancellationToken);
        var dc1 = cluster.Agents[0].Address;
        var dc2 = cluster.Datacenters[1].Agents[0].Address;
        await using var local = await DemoApps.StartCatalogAsync(dc1, cancellationToken);
        await using var remote = await DemoApps.StartCatalogAsync(dc2, cancellationToken);
        await using var orders = await DemoApps.StartOrdersAsync(dc1, cancellationToken, new() { ["Consul:Discovery:Failover:Datacenters:0"] = "dc2" });
        using var http = new HttpClient();
        await UntilAsync(async () => await StatusAsync(http, dc1, local.ServiceId, null, cancellationToken) == "passing"
            && await StatusAsync(http, dc1, remote.ServiceId, "dc2", cancellationToken) == "passing", "both catalog instances pass", timeout, cancellationToken);

        var answers = new List<(string Id, long At)>();
        var failed = 0;
        using var calling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var load = Task.Run(async () =>
        {
            while (!calling.IsCancellationRequested)
            {
                try
                {
                    var answer = await http.GetFromJsonAsync<InstanceAnswer>(new Uri(orders.BaseAddress, "/catalog/instance"), calling.Token);
                    lock (answers)
                    {
                        answers.Add((answer!.Id, Stopwatch.GetTimestamp()));
                    }
                }
                catch (OperationCanceledException) when (calling.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), calling.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }, cancellationToken);

        await FirstAnswerFromAsync(answers, local.ServiceId, 0, timeout, cancellationToken);
        var (failingCalls, _) = Mark(answers);
        local.Health!.Status = HealthStatus.Unhealthy;
        await UntilAsync(async () => await StatusAsync(http, dc1, local.ServiceId, null, cancellationToken) == "critical", "Consul shows dc1's catalog critical", timeout, cancellationToken);
        var (_, criticalAt) = Mark(answers);
        var (_, remoteAt) = await FirstAnswerFromAsync(answers, remote.ServiceId, failingCalls, timeout, cancellationToken);

        var (flippedCalls, _) = Mark(answers);
        local.Health.Status = HealthStatus.Healthy;
        await UntilAsync(async () => await StatusAsync(http, dc1, local.ServiceId, null, cancellationToken) == "passing", "Consul shows dc1's catalog passing", timeout, cancellationToken);
        var (_, passingAt) = Mark(answers);

        // orders is pushed, this step polls Consul every 10 ms: the first dc1 answer may come before the poll saw the change.
        var (_, backAt) = await FirstAnswerFromAsync(answers, local.ServiceId, flippedCalls, timeout, cancellationToken);
        await calling.CancelAsync();
        await load;

        if (failed > 0)
        {
            throw new DemoStepFailedException($"{failed} calls failed while catalog moved between datacenters");
        }

        return $"dc1's catalog critical: orders' calls reached dc2's catalog {(Stopwatch.GetElapsedTime(criticalAt) - Stopwatch.GetElapsedTime(remoteAt)).TotalMilliseconds:F0} ms after Consul showed it; "
            + $"passing again: back in dc1 {(Stopwatch.GetElapsedTime(passingAt) - Stopwatch.GetElapsedTime(backAt)).TotalMilliseconds:F0} ms after (negative: before this step's 10 ms poll of Consul saw it). {answers.Count} calls through the standard resilience handler, {failed} failed.";
    }

    private static (int Calls, long At) Mark(List<(string Id, long At)> answers)
    {
        lock (answers)
        {
            return (answers.Count, Stopwatch.GetTimestamp());
        }
    }

    private static async Task<(int Index, long At)> FirstAnswerFromAsync(List<(string Id, long At)> answers, string id, int after, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (answers)
            {
                for (var i = after; i < answers.Count; i++)
                {
                    if (answers[i].Id == id)
                    {
                        return (i, answers[i].At);
                    }
                }
            }

            if (deadline.Elapsed > timeout)
            {
                throw new DemoStepFailedException($"no call reached {id} within {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"not true within {timeout.TotalSeconds:F0} s: {what}");
            }

            // Polling Consul only to time the demo's print-out; orders itself is pushed by blocking queries.
            await Task.Delay(TimeSpan.FromMilliseconds(10), cancellationToken);
        }
    }

    /// <summary>The aggregated status of <paramref name="serviceId"/>'s checks in the catalog, read through dc1's agent.</summary>
    private static async Task<string?> StatusAsync(HttpClient http, Uri agent, string serviceId, string? dc, CancellationToken cancellationToken)
    {
        var entries = await http.GetFromJsonAsync<JsonElement>(new Uri(agent, "/v1/health/service/catalog" + (dc is null ? "" : "?dc=" + dc)), cancellationToken);
        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.GetProperty("Service").GetProperty("ID").GetString() == serviceId)
            {
                var statuses = entry.GetProperty("Checks").EnumerateArray()
                    .Where(c => c.GetProperty("ServiceID").GetString() == serviceId)
                    .Select(c => c.GetProperty("Status").GetString())
                    .ToList();
                return statuses.Contains("critical") ? "critical" : statuses.All(s => s == "passing") ? "passing" : "warning";
            }
        }

        return null;
    }
}
