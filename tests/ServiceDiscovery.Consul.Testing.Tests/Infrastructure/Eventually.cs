// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>Waits for a condition observed over HTTP, with a real-time deadline (for targets that cannot signal).</summary>
public static class Eventually
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            // Re-probe shortly; the deadline bounds the wait, the probe is the condition.
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }
}
