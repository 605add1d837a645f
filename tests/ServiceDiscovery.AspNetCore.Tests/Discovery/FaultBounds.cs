// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.AspNetCore.Internal;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// How many requests one query loop may send while Consul fails, for the fault tests of both watch modes
/// (docs/reliability.md quotes what they measure).
/// </summary>
internal static class FaultBounds
{
    /// <summary>The watch settings of the fault tests: a fast backoff and token bucket, so that bounds show in 1.5 s.</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(400);

    public static readonly TimeSpan MinimumQueryInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How long each fault lasts before the requests are counted.</summary>
    public static readonly TimeSpan FaultWindow = TimeSpan.FromMilliseconds(1500);

    /// <summary>Applies the fault tests' watch settings in <paramref name="mode"/>.</summary>
    public static void Configure(ConsulOptions options, ConsulWatchMode mode)
    {
        options.Discovery.WatchMode = mode;
        options.Discovery.RetryDelay = RetryDelay;
        options.Discovery.MaxRetryDelay = MaxRetryDelay;
        options.Discovery.MinimumQueryInterval = MinimumQueryInterval;
    }

    /// <summary>
    /// Failing queries back off: <paramref name="retryDelay"/> doubling up to <paramref name="maxRetryDelay"/>, the
    /// jitter keeping at least half of each step. Counts how many queries fit in <paramref name="elapsed"/>, plus the
    /// one in flight.
    /// </summary>
    public static int Backoff(TimeSpan elapsed, TimeSpan retryDelay, TimeSpan maxRetryDelay)
    {
        var allowed = 2;
        var waited = TimeSpan.Zero;
        for (var failures = 1; ; failures++)
        {
            var step = retryDelay * Math.Pow(2, failures - 1);
            waited += (step < maxRetryDelay ? step : maxRetryDelay) / 2;
            if (waited > elapsed)
            {
                return allowed;
            }

            allowed++;
        }
    }

    /// <summary>A watch's token bucket: a burst of <see cref="TokenBucket.WatchBurst"/>, then one per <paramref name="interval"/>.</summary>
    public static int TokenBucketAllows(TimeSpan elapsed, TimeSpan interval) => TokenBucket.WatchBurst + (int)(elapsed / interval) + 1;

    /// <summary>Asserts that the agent saw at most <paramref name="allowed"/> requests under <paramref name="path"/>, and writes the count to the test output.</summary>
    public static int AssertAtMost(ConsulTestAgent agent, string path, TimeSpan elapsed, int allowed, string why)
    {
        var sent = agent.CountRequests(path);
        TestContext.Current.TestOutputHelper?.WriteLine($"{path}: {sent} requests in {elapsed.TotalMilliseconds:F0} ms (at most {allowed} allowed: {why})");
        Assert.True(sent <= allowed, $"{path}: {sent} requests in {elapsed.TotalMilliseconds:F0} ms ({why} allows at most {allowed})");
        return sent;
    }

    /// <summary>A measuring window, not synchronisation: the fault lasts this long before the request count is checked.</summary>
    public static Task WaitOutAsync(Stopwatch clock, TimeSpan window) =>
        DiscoveryEventually.UntilAsync(() => clock.Elapsed >= window, $"the fault lasted {window}");
}
