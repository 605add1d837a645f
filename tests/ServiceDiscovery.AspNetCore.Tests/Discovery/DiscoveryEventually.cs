// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// Waits on a condition with a real-time deadline, never a sleep: discovery conditions are re-evaluated each time the
/// cached list's change token fires, other conditions on a short poll.
/// </summary>
internal static class DiscoveryEventually
{
    // A deadline, not an expected time: a passing wait returns at once, and on a machine that runs other builds beside
    // the tests (CI must stay green there) a restart-and-re-register sequence took over 10 s.
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Waits until the cached instances of <paramref name="serviceName"/> satisfy <paramref name="condition"/>.</summary>
    public static async Task<ConsulServiceInstances> InstancesAsync(
        IConsulServiceDiscovery discovery, string serviceName, Func<ConsulServiceInstances, bool> condition, TimeSpan? timeout = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (true)
        {
            var instances = await discovery.GetInstancesAsync(serviceName, ct);
            if (condition(instances))
            {
                return instances;
            }

            var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (instances.ChangeToken.RegisterChangeCallback(static state => ((TaskCompletionSource)state!).TrySetResult(), changed))
            {
                var remaining = limit - deadline.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    Assert.Fail($"'{serviceName}' did not reach the expected state within {limit}; last: {instances} [{string.Join(", ", instances)}]");
                }

                try
                {
                    await changed.Task.WaitAsync(remaining, ct);
                }
                catch (TimeoutException)
                {
                    Assert.Fail($"'{serviceName}' did not reach the expected state within {limit}; last: {instances} [{string.Join(", ", instances)}]");
                }
            }
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every few milliseconds.</summary>
    public static async Task UntilAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var limit = timeout ?? DefaultTimeout;
        var deadline = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (!condition())
        {
            if (deadline.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit} waiting until {because}.");
            }

            await timer.WaitForNextTickAsync(ct);
        }
    }
}
