// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Tests.Internal;

public sealed class JitteredBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(2, 2.0)]
    [InlineData(3, 4.0)]
    [InlineData(5, 16.0)]
    [InlineData(6, 30.0)]
    [InlineData(1000, 30.0)]
    public void Delay_MaximumJitter_IsTheCappedExponential(int failures, double expectedSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), JitteredBackoff.Delay(failures, Initial, Max, random: 1.0));

    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(4, 4.0)]
    [InlineData(1000, 15.0)]
    public void Delay_MinimumJitter_IsHalf(int failures, double expectedSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), JitteredBackoff.Delay(failures, Initial, Max, random: 0.0));

    [Fact]
    public void Delay_Jitter_SpreadsBetweenHalfAndFull()
    {
        var delay = JitteredBackoff.Delay(3, Initial, Max, random: 0.5);

        Assert.Equal(TimeSpan.FromSeconds(3), delay);
    }
}
