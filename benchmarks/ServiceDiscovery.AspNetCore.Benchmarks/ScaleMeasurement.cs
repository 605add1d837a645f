// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Watches <c>count</c> service names at once, then measures the watching process: threads, managed heap and
/// working set attributable to the watches, and CPU while idle (every watch parked in a blocking query). Run it
/// against an agent in another process (<c>CONSUL_HTTP_ADDR</c>, e.g. <c>samples/DevAgent</c>) so the agent's own
/// threads and memory are not counted. Then makes one change per second (a watched name gains a second instance, then
/// loses it again) and reports how fast the cache sees it and the
/// requests and response bytes the client exchanged with the agent per change.
/// </summary>
internal static class ScaleMeasurement
{
    private const int Changes = 60;

    public static async Task RunAsync(int count, TimeSpan idle, ConsulWatchMode mode)
    {
        var counter = new TrafficCounter();
        await using var host = await BenchmarkHost.StartAsync(o =>
        {
            o.Discovery.IdleTimeout = Timeout.InfiniteTimeSpan;
            o.Discovery.WatchMode = mode;

            // Per-service mode needs a connection per name (plus spare ones) to measure today's behaviour.
            o.Discovery.MaxConnections = mode == ConsulWatchMode.PerService ? count + 8 : 8;
        },
        services => services.AddHttpClient(Consul.ConsulApiClient.HttpClientName).AddHttpMessageHandler(() => new CountingHandler(counter))).ConfigureAwait(false);
        var registration = Stopwatch.StartNew();
        await host.RegisterCatalogAsync(count, parallelism: 16).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Registered {count} catalog services in {registration.Elapsed.TotalSeconds:F1} s"));

        var discovery = host.Discovery;
        await discovery.GetInstancesAsync("svc-0").ConfigureAwait(false); // warm up the client
        var process = Process.GetCurrentProcess();
        var heapBefore = Settle();
        process.Refresh();
        var workingSetBefore = process.WorkingSet64;
        var threadsBefore = process.Threads.Count;

        var startup = Stopwatch.StartNew();
        var lookups = new Task[count];
        for (var i = 0; i < count; i++)
        {
            lookups[i] = discovery.GetInstancesAsync($"svc-{i}").AsTask();
        }

        await Task.WhenAll(lookups).ConfigureAwait(false);
        var startupTime = startup.Elapsed;

        // Let every watch park in its blocking query before measuring.
        await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        var heapAfter = Settle();
        process.Refresh();
        var workingSetAfter = process.WorkingSet64;
        var threadsAfter = process.Threads.Count;

        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await Task.Delay(idle).ConfigureAwait(false);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var cpuPercent = 100.0 * cpu.TotalMilliseconds / wall.Elapsed.TotalMilliseconds;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Watched names: {count} in {mode} mode (agent: {host.AgentAddress})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Start-up until all cached: {startupTime.TotalMilliseconds:F0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Sockets held by the process: {CountSockets()}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Threads: {threadsBefore} before, {threadsAfter} with {count} watches"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Managed heap: +{(heapAfter - heapBefore) / 1024.0 / 1024.0:F1} MB for the watches ({(heapAfter - heapBefore) / count / 1024.0:F1} KB per watch)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Working set: +{(workingSetAfter - workingSetBefore) / 1024.0 / 1024.0:F1} MB ({workingSetAfter / 1024.0 / 1024.0:F1} MB total)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Idle CPU over {wall.Elapsed.TotalSeconds:F0} s: {cpu.TotalMilliseconds:F0} ms ({cpuPercent:F2} % of one core)"));

        await MeasureChangesAsync(host, counter, count).ConfigureAwait(false);
    }

    /// <summary>One change per second: time from the start of the catalog PUT to the cache showing it, and traffic per change.</summary>
    private static async Task MeasureChangesAsync(BenchmarkHost host, TrafficCounter counter, int count)
    {
        var discovery = host.Discovery;
        var samples = new List<double>(Changes);
        counter.Enabled = true;
        var requestsBefore = counter.Requests;
        var bytesBefore = counter.ResponseBytes;
        for (var change = 0; change < Changes; change++)
        {
            var next = Task.Delay(TimeSpan.FromSeconds(1));
            var i = (int)((change / 2 * 7919L) % count); // each name gains a second instance, then loses it
            var add = change % 2 == 0;
            var clock = Stopwatch.StartNew();
            var seen = WaitAsync(discovery, $"svc-{i}", list => list.Count == (add ? 2 : 1));
            await (add ? host.RegisterCatalogInstanceAsync(i, "scale-node-extra", 2) : host.DeregisterCatalogInstanceAsync(i, "scale-node-extra", 2)).ConfigureAwait(false);
            await seen.ConfigureAwait(false);
            samples.Add(clock.Elapsed.TotalMilliseconds);
            await next.ConfigureAwait(false);
        }

        var requests = counter.Requests - requestsBefore;
        var bytes = counter.ResponseBytes - bytesBefore;
        counter.Enabled = false;
        samples.Sort();
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Propagation over {Changes} changes at one per second (catalog PUT start -> cache shows it): median {Percentile(samples, 0.50):F1} ms, p99 {Percentile(samples, 0.99):F1} ms, max {samples[^1]:F1} ms"));
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"Client -> agent per change: {(double)requests / Changes:F1} requests, {bytes / (double)Changes / 1024.0:F1} KB of response bodies ({requests} requests, {bytes / 1024.0 / 1024.0:F1} MB in all)"));
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task WaitAsync(IConsulServiceDiscovery discovery, string name, Func<ConsulServiceInstances, bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var instances = await discovery.GetInstancesAsync(name, deadline.Token).ConfigureAwait(false);
            if (condition(instances))
            {
                return;
            }

            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (instances.ChangeToken.RegisterChangeCallback(static s => ((TaskCompletionSource)s!).TrySetResult(), changed))
            {
                try
                {
                    await changed.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    throw new TimeoutException($"{instances} [{string.Join(", ", instances.Select(x => x.Id))}] never changed as expected");
                }
            }
        }
    }

    /// <summary>Open sockets of this process (Linux: <c>/proc/self/fd</c> links to <c>socket:</c>); -1 elsewhere.</summary>
    private static int CountSockets()
    {
        if (!OperatingSystem.IsLinux())
        {
            return -1;
        }

        return Directory.EnumerateFiles("/proc/self/fd")
            .Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
    }

    private static long Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
