// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Internal;
using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class RegistrationBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(1000, 60)]
    public void Step_Attempt_DoublesUpToTheCap(int attempt, int expectedSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), JitteredBackoff.Step(attempt, Initial, Max));

    [Theory]
    [InlineData(0.0, 2000)]
    [InlineData(0.5, 3000)]
    [InlineData(0.999999, 3999.998)]
    public void NextDelay_Jitter_BetweenHalfAndAllOfTheStep(double random, double expectedMilliseconds)
    {
        var delay = new RegistrationBackoff(() => random).NextDelay(3, Initial, Max);

        Assert.Equal(expectedMilliseconds, delay.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public void NextDelay_ManyAttempts_NeverAboveTheCapNorBelowHalfOfIt()
    {
        var backoff = new RegistrationBackoff();
        for (var attempt = 1; attempt < 200; attempt++)
        {
            var delay = backoff.NextDelay(attempt, Initial, Max);
            Assert.InRange(delay, JitteredBackoff.Step(attempt, Initial, Max) / 2, Max);
        }
    }
}
