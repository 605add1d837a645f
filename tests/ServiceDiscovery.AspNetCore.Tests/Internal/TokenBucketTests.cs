// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Tests.Internal;

public sealed class TokenBucketTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    [Fact]
    public void Burst_ThenOnePerPeriod()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(time, burst: 3, Period);

        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(Period, bucket.Take());

        // The caller waited the period it was told: the next one waits a period again, no more.
        time.Advance(Period);
        Assert.Equal(Period, bucket.Take());
    }

    [Fact]
    public void Idle_RefillsUpToTheBurstOnly()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(time, burst: 2, Period);
        bucket.Take();
        bucket.Take();

        time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(TimeSpan.Zero, bucket.Take());
        Assert.Equal(Period, bucket.Take());
    }

    [Fact]
    public void ZeroPeriod_NeverWaits()
    {
        var bucket = new TokenBucket(new FakeTimeProvider(), burst: 1, TimeSpan.Zero);
        Assert.All(Enumerable.Range(0, 10), _ => Assert.Equal(TimeSpan.Zero, bucket.Take()));
    }
}
