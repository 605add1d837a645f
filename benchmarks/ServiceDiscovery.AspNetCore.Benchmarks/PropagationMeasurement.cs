// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Time from a change at the agent (the start of its PUT) to the discovery cache showing it, as a user meets it with
/// the default settings. Each watch may send a burst of <see cref="TokenBucket.WatchBurst"/> queries, then one per
/// <c>MinimumQueryInterval</c>; changes back to back would measure that bucket, not propagation. So two figures:
/// single changes, each after a quiet period in which the bucket gets back more than the change cost it, and bursts of
/// N changes to one name after the bucket has refilled, timed until the last of them is in the cache.
/// Not a BenchmarkDotNet benchmark: each trial is a distinct event, so the figures are distributions.
/// </summary>
internal static class PropagationMeasurement
{
    private const int WarmUpTrials = 2;
    private const int BurstsPerSize = 3;

    public static async Task RunAsync(int changes, IReadOnlyList<int> burstSizes)
    {
        await using var host = await BenchmarkHost.StartAsync().ConfigureAwait(false);
        var interval = host.Services.GetRequiredService<IOptions<ConsulOptions>>().Value.Discovery.MinimumQueryInterval;

        // A change costs the watch one query (the one it sends after the answer), and the bucket gets one back per
        // interval: two intervals of quiet before each change keep it from ever running short.
        var quiet = interval * 2;

        // From empty (one query in debt at most) back to a full burst.
        var refill = interval * (TokenBucket.WatchBurst + 1);

        await host.RegisterAsync("catalog-stable", "catalog", 5000).ConfigureAwait(false);
        var discovery = host.Discovery;
        await discovery.GetInstancesAsync("catalog").ConfigureAwait(false);

        var single = new List<double>(changes);
        for (var trial = 0; single.Count < changes; trial++)
        {
            var id = $"catalog-single-{trial}";
            var added = await ChangeAfterQuietAsync(quiet, discovery, () => host.RegisterAsync(id, "catalog", 6000), list => list.Any(i => i.Id == id)).ConfigureAwait(false);
            var removed = await ChangeAfterQuietAsync(quiet, discovery, () => host.DeregisterAsync(id), list => list.All(i => i.Id != id)).ConfigureAwait(false);
            if (trial >= WarmUpTrials)
            {
                // The first trials warm up JIT and connections.
                single.Add(added);
                single.Add(removed);
            }
        }

        single.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"One change after {quiet.TotalSeconds:0.#} s of quiet, over {single.Count} changes (half registrations, half deregistrations; PUT start -> cache shows it): median {Percentile(single, 0.50):F2} ms, p90 {Percentile(single, 0.90):F2} ms, p99 {Percentile(single, 0.99):F2} ms, max {single[^1]:F2} ms"));

        foreach (var size in burstSizes)
        {
            // N instances that stay: removing N others then never takes more than half of the list away. An answer that
            // does is held for VoidGracePeriod (a Consul restarting empty looks the same): measured last, on its own.
            var pool = Enumerable.Range(0, size).Select(i => $"catalog-pool-{size}-{i}").ToList();
            foreach (var id in pool)
            {
                await host.RegisterAsync(id, "catalog", 7000).ConfigureAwait(false);
            }

            await WaitAsync(discovery, list => pool.All(id => list.Any(i => i.Id == id))).ConfigureAwait(false);
            var registrations = new Burst();
            var deregistrations = new Burst();
            for (var burst = 0; burst < BurstsPerSize; burst++)
            {
                var ids = Enumerable.Range(0, size).Select(i => $"catalog-burst-{size}-{burst}-{i}").ToList();
                await registrations.TimeAsync(refill, discovery, ids, id => host.RegisterAsync(id, "catalog", 7000), list => ids.All(id => list.Any(i => i.Id == id))).ConfigureAwait(false);
                await deregistrations.TimeAsync(refill, discovery, ids, host.DeregisterAsync, list => list.All(i => !ids.Contains(i.Id))).ConfigureAwait(false);
            }

            var collapse = new Burst();
            await collapse.TimeAsync(refill, discovery, pool, host.DeregisterAsync, list => list.All(i => !pool.Contains(i.Id))).ConfigureAwait(false);

            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"Burst of {size} changes to one name after {refill.TotalSeconds:0.#} s of quiet, PUTs one after another, times from the first PUT's start: {size} registrations (x{BurstsPerSize}) {registrations}; {size} deregistrations leaving {size + 1} instances (x{BurstsPerSize}) {deregistrations}; {size} deregistrations leaving 1 (an answer with more than half of the list gone is held for VoidGracePeriod) {collapse}"));
        }
    }

    /// <summary>Times bursts of changes: when the last PUT returned, and when the cache showed the last change.</summary>
    private sealed class Burst
    {
        private readonly List<double> _lastPut = [];
        private readonly List<double> _landed = [];

        public async Task TimeAsync(TimeSpan quiet, IConsulServiceDiscovery discovery, List<string> ids, Func<string, Task> change, Func<ConsulServiceInstances, bool> shown)
        {
            // The quiet period is the condition measured (a full bucket), not a wait for something to happen.
            await Task.Delay(quiet).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var complete = WaitAsync(discovery, shown);
            foreach (var id in ids)
            {
                await change(id).ConfigureAwait(false);
            }

            _lastPut.Add(clock.Elapsed.TotalMilliseconds);
            await complete.ConfigureAwait(false);
            _landed.Add(clock.Elapsed.TotalMilliseconds);
        }

        public override string ToString() => $"last PUT returned at {Join(_lastPut)} ms, last change in the cache at {Join(_landed)} ms";
    }

    private static async Task<double> ChangeAfterQuietAsync(TimeSpan quiet, IConsulServiceDiscovery discovery, Func<Task> change, Func<ConsulServiceInstances, bool> shown)
    {
        // The quiet period is the condition measured (a watch with queries to spare), not a wait for something to happen.
        await Task.Delay(quiet).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        var seen = WaitAsync(discovery, shown);
        await change().ConfigureAwait(false);
        await seen.ConfigureAwait(false);
        return clock.Elapsed.TotalMilliseconds;
    }

    private static string Join(List<double> values) => string.Join(", ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)));

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
