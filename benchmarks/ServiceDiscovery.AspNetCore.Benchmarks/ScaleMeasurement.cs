// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;


namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Watches <c>count</c> service names at once, then measures the watching process: threads, managed heap and
/// working set attributable to the watches, and CPU while idle (every watch parked in a blocking query). Run it
/// against an agent in another process (<c>CONSUL_HTTP_ADDR</c>, e.g. <c>samples/DevAgent</c>) so the agent's own
/// threads and memory are not counted.
/// </summary>
internal static class ScaleMeasurement
{
    public static async Task RunAsync(int count, TimeSpan idle, ConsulWatchMode mode)
    {
        await using var host = await BenchmarkHost.StartAsync(o =>
        {
            o.Discovery.IdleTimeout = Timeout.InfiniteTimeSpan;
            o.Discovery.WatchMode = mode;

            // Per-service mode needs a connection per name (plus spare ones) to measure today's behaviour.
            o.Discovery.MaxConnections = mode == ConsulWatchMode.PerService ? count + 8 : 8;
        }).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            await host.RegisterAsync($"svc-{i}-1", $"svc-{i}", 7000).ConfigureAwait(false);
        }

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
