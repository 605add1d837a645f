// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// Waits for a condition with a deadline, re-checking it often: tests synchronise on facts, never on a sleep that
/// guesses how long something takes. The poll interval only bounds how soon a true condition is noticed.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, string? because = null)
        => WaitAsync(() => Task.FromResult(condition()), timeout, because);

    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, string? because = null)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            if (await condition().ConfigureAwait(false))
            {
                return;
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                Assert.Fail($"Condition not met within {timeout}{(because is null ? "." : ": " + because)}");
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
