// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Consul's blocking-query rules and etiquette, alone (docs/consul-http-api.md §8).</summary>
public sealed class BlockingQueryPacingTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ConsulDiscoveryCacheOptions _options = new();

    [Fact]
    public void Index_StartsAtZero_FollowsAnswers_StartsOverWhenItGoesBackwards_NeverZeroOtherwise()
    {
        var pacing = new BlockingQueryPacing(_time, _options, () => 1.0);
        Assert.Equal(0UL, pacing.Index);

        Assert.True(pacing.Advances(42));
        pacing.Answered(42);
        Assert.Equal(42UL, pacing.Index);

        Assert.False(pacing.Advances(42));
        Assert.False(pacing.WentBackwards(42));
        pacing.Answered(42);
        Assert.Equal(42UL, pacing.Index);

        Assert.True(pacing.WentBackwards(7));
        pacing.Answered(7);
        Assert.Equal(0UL, pacing.Index);

        pacing.Answered(0);
        Assert.Equal(1UL, pacing.Index);

        pacing.Failed();
        Assert.Equal((0UL, 1), (pacing.Index, pacing.Failures));
        pacing.Answered(5);
        Assert.Equal((5UL, 0), (pacing.Index, pacing.Failures));
    }

    [Fact]
    public void Delay_NoneAfterAMove_RestOfTheIntervalAfterNoMove_BackoffAfterFailures()
    {
        var pacing = new BlockingQueryPacing(_time, _options, () => 1.0);
        pacing.Sending();
        pacing.Answered(10);
        Assert.Equal(TimeSpan.Zero, pacing.NextDelay());

        pacing.Sending();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        pacing.Answered(10);
        Assert.Equal(TimeSpan.FromMilliseconds(700), pacing.NextDelay());

        var delays = new List<double>();
        for (var i = 0; i < 7; i++)
        {
            pacing.Sending();
            pacing.Failed();
            delays.Add(pacing.NextDelay().TotalSeconds);
        }

        // The jitter source at its maximum: the full exponential delay, capped at MaxRetryDelay.
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], delays);
    }

    [Fact]
    public void IndexMovingOnEveryAnswer_AllowsTheBurst_ThenOneQueryPerInterval()
    {
        var pacing = new BlockingQueryPacing(_time, _options, () => 1.0);
        for (var i = 1; i <= TokenBucket.WatchBurst; i++)
        {
            Assert.Equal(TimeSpan.Zero, pacing.NextDelay());
            pacing.Sending();
            pacing.Answered((ulong)i);
        }

        Assert.Equal(_options.MinimumQueryInterval, pacing.NextDelay());
    }

    [Theory]
    [InlineData(1.0, 300)]
    [InlineData(0.0, 281.25)]
    [InlineData(0.5, 290.625)]
    public void Jitter_SendsTheWaitUpToASixteenthShorter(double random, double seconds)
    {
        var pacing = new BlockingQueryPacing(_time, _options, () => random);

        Assert.Equal(TimeSpan.FromSeconds(seconds), pacing.Jitter(TimeSpan.FromMinutes(5)));
    }
}
