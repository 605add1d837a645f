// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Time from the start of a KV PUT to the <see cref="IOptionsMonitor{TOptions}"/> callback of an app reading that key
/// through <c>AddConsulKeyValue</c>, against the baseline of the PUT's own round trip, measured in the same run.
/// Not a BenchmarkDotNet benchmark: each trial is a distinct event, so the figure is a distribution.
/// </summary>
internal static class KeyValueReloadMeasurement
{
    public static async Task RunAsync(int trials)
    {
        await using var agent = await ConsulTestAgent.StartAsync().ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = agent.Address };
        await PutAsync(http, "0").ConfigureAwait(false);
        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = agent.Address.ToString() })
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
            .Build();
        using var services = new ServiceCollection().Configure<Flags>(configuration.GetSection("Features")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<Flags>>();
        var reload = new List<double>(trials);
        var put = new List<double>(trials);
        for (var trial = 1; trial <= trials + 10; trial++)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var expected = trial;
            using var subscription = monitor.OnChange(f => { if (f.Level == expected) { seen.TrySetResult(); } });
            var clock = Stopwatch.StartNew();
            await PutAsync(http, trial.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            var putElapsed = clock.Elapsed.TotalMilliseconds;
            await seen.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            if (trial > 10)
            {
                // The first 10 warm up JIT and connections.
                reload.Add(clock.Elapsed.TotalMilliseconds);
                put.Add(putElapsed);
            }
        }

        reload.Sort();
        put.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"KV PUT -> IOptionsMonitor callback over {reload.Count} trials: median {Percentile(reload, 0.50):F2} ms, p99 {Percentile(reload, 0.99):F2} ms; baseline PUT round trip: median {Percentile(put, 0.50):F2} ms, p99 {Percentile(put, 0.99):F2} ms; ratio of medians {Percentile(reload, 0.50) / Percentile(put, 0.50):F2}"));
    }

    private static async Task PutAsync(HttpClient http, string value)
    {
        using var content = new StringContent(value, Encoding.UTF8);
        using var response = await http.PutAsync(new Uri("v1/kv/config/orders/Features/Level", UriKind.Relative), content).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed class Flags
    {
        public int Level { get; set; }
    }
}
