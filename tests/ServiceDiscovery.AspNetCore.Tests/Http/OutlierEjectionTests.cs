// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Http;

namespace ServiceDiscovery.AspNetCore.Tests.Http;

/// <summary>Outlier detection: <c>Consul:LoadBalancing:ConsecutiveFailuresToEject</c> consecutive 5xx answers eject.</summary>
public sealed class OutlierEjectionTests
{
    private readonly FakeTimeProvider _time = new();

    private InstanceHealthTracker Tracker(int consecutive)
    {
        var options = new ConsulOptions();
        options.LoadBalancing.ConsecutiveFailuresToEject = consecutive;
        return new InstanceHealthTracker(_time, new LoadBalancerTests.StaticOptionsMonitor(options));
    }

    [Fact]
    public void Off_ByDefault_FiveHundredsNeverEject()
    {
        var tracker = Tracker(new ConsulOptions().LoadBalancing.ConsecutiveFailuresToEject);
        var instance = Instances.One("c1", port: 5001);

        for (var i = 0; i < 10; i++)
        {
            Assert.False(tracker.RecordAnswer(instance, 503));
        }

        Assert.False(tracker.IsEjected(instance));
    }

    [Fact]
    public void ThreeInARow_EjectForEjectionDuration()
    {
        var tracker = Tracker(3);
        var instance = Instances.One("c1", port: 5001);

        Assert.False(tracker.RecordAnswer(instance, 500));
        Assert.False(tracker.RecordAnswer(instance, 502));
        Assert.True(tracker.RecordAnswer(instance, 503));
        Assert.True(tracker.IsEjected(instance));

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.False(tracker.IsEjected(instance));
    }

    [Fact]
    public void AnotherAnswerInBetween_ResetsTheCount()
    {
        var tracker = Tracker(3);
        var instance = Instances.One("c1", port: 5001);

        Assert.False(tracker.RecordAnswer(instance, 500));
        Assert.False(tracker.RecordAnswer(instance, 500));
        Assert.False(tracker.RecordAnswer(instance, 404));
        Assert.False(tracker.RecordAnswer(instance, 500));
        Assert.False(tracker.RecordAnswer(instance, 500));

        Assert.False(tracker.IsEjected(instance));
    }

    [Fact]
    public void Validate_Negative_NamesTheKey()
    {
        var options = new ConsulOptions();
        options.LoadBalancing.ConsecutiveFailuresToEject = -1;
        Assert.StartsWith(
            "Consul:LoadBalancing:ConsecutiveFailuresToEject must be 0 (off) or more; got '-1'.",
            new LoadBalancingOptionsValidator().Validate(null, options).FailureMessage);
    }
}
