// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Time from deregistering an instance at the agent (the start of the PUT) to the cache no longer listing it, over
/// many trials. Not a BenchmarkDotNet benchmark: each trial is a distinct event, so the figure is a distribution.
/// </summary>
internal static class PropagationMeasurement
{
    public static async Task RunAsync(int trials)
    {
        await using var host = await BenchmarkHost.StartAsync().ConfigureAwait(false);
        await host.RegisterAsync("catalog-stable", "catalog", 5000).ConfigureAwait(false);
        var discovery = host.Discovery;
        await discovery.GetInstancesAsync("catalog").ConfigureAwait(false);
        var samples = new List<double>(trials);
        for (var trial = 0; trial < trials + 10; trial++)
        {
            var id = $"catalog-{trial}";
            await host.RegisterAsync(id, "catalog", 6000).ConfigureAwait(false);
            await WaitAsync(discovery, list => list.Any(i => i.Id == id)).ConfigureAwait(false);

            var clock = Stopwatch.StartNew();
            var gone = WaitAsync(discovery, list => list.All(i => i.Id != id));
            await host.DeregisterAsync(id).ConfigureAwait(false);
            await gone.ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (trial >= 10)
            {
                samples.Add(elapsed); // the first 10 warm up JIT and connections
            }
        }

        samples.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Propagation over {samples.Count} trials (deregister PUT start -> absent from cache): median {Percentile(samples, 0.50):F2} ms, p90 {Percentile(samples, 0.90):F2} ms, p99 {Percentile(samples, 0.99):F2} ms, max {samples[^1]:F2} ms"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task WaitAsync(IConsulServiceDiscovery discovery, Func<ConsulServiceInstances, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var instances = await discovery.GetInstancesAsync("catalog", deadline.Token).ConfigureAwait(false);
            if (condition(instances))
            {
                return;
            }

            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (instances.ChangeToken.RegisterChangeCallback(static s => ((TaskCompletionSource)s!).TrySetResult(), changed))
            {
                await changed.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
        }
    }
}
