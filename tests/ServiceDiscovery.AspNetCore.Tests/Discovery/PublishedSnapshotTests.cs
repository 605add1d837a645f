// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>What lookups see of a name, alone: publishing, change tokens, the stale gauge and the first-answer wait.</summary>
public sealed class PublishedSnapshotTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly DiscoveryMetrics _metrics;
    private readonly PublishedSnapshot _published;

    public PublishedSnapshotTests()
    {
        _metrics = new DiscoveryMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        _published = new PublishedSnapshot("catalog", _metrics, new FakeLogger());
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Publish_ReplacesTheSnapshot_HandsThePreviousTokenToTheCaller_CompletesTheFirstWait_AndCountsStaleness()
    {
        using var staleWatches = new MetricCollector<long>(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ConsulTelemetry.Name, "consul.discovery.stale_watches");
        var first = _published.First;
        Assert.False(first.IsCompleted);

        var fresh = _published.Publish(token => Instances(5, token));
        Assert.Same(fresh, await first);
        Assert.Same(fresh, _published.Current);

        _published.Fire(_published.TakeReplaced());

        // The replaced token fires only when the caller fires what it took (after releasing its lock).
        var stale = _published.Publish(token => fresh.With(isStale: true, token));
        Assert.False(fresh.ChangeToken.HasChanged);
        var replaced = _published.TakeReplaced();
        Assert.Null(_published.TakeReplaced());
        _published.Fire(replaced);
        Assert.True(fresh.ChangeToken.HasChanged);
        Assert.False(stale.ChangeToken.HasChanged);
        _published.Publish(token => stale.With(isStale: true, token));
        _published.Publish(token => stale.With(isStale: false, token));
        Assert.Equal(2, _published.TakeReplaced()!.Count);

        Assert.Equal([1L, -1L], staleWatches.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task FailedFirst_FailsWaiters_OneCallerRenewsIt_AndTheNextAttemptKeepsThatWait()
    {
        _published.FailFirst(new InvalidOperationException("down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _published.First);

        Assert.True(_published.RenewFailedFirst());
        Assert.False(_published.RenewFailedFirst());
        var waiting = _published.First;
        _published.OnAttempt();
        Assert.Same(waiting, _published.First);

        // Failed again with nobody renewing it: the next attempt does.
        _published.FailFirst(new InvalidOperationException("still down"));
        _published.OnAttempt();
        Assert.NotSame(waiting, _published.First);
        Assert.False(_published.First.IsCompleted);

        var published = _published.Publish(token => Instances(5, token));
        Assert.Same(published, await _published.First);

        // Published once: failures and attempts no longer touch the wait.
        _published.FailFirst(new InvalidOperationException("later"));
        _published.OnAttempt();
        Assert.False(_published.RenewFailedFirst());
        Assert.Same(published, await _published.First);
    }

    [Fact]
    public void NotifyConsumers_FiresTheCurrentToken()
    {
        var current = _published.Publish(token => Instances(5, token));

        _published.NotifyConsumers();

        Assert.True(current.ChangeToken.HasChanged);
        Assert.Same(current, _published.Current);
    }

    private static ConsulServiceInstances Instances(ulong index, IChangeToken token) => ConsulServiceInstances.Create(
        "catalog", [new ConsulServiceInstance("catalog-1", "catalog", "10.0.0.1", 8080)], index, Now, isStale: false, token);
}
