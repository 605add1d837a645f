// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The blocking-query loop: Consul's index rules (docs/consul-http-api.md §8), pacing, backoff and staleness.</summary>
public sealed class ServiceWatchTests
{
    [Fact]
    public async Task Watch_FirstQuery_DoesNotBlockThenBlocksOnReturnedIndex()
    {
        await using var harness = new DiscoveryHarness();
        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);

        var first = await harness.Client.NextRequestAsync();
        Assert.Equal("catalog", first.Service);
        Assert.Equal(0UL, first.Options.Index);
        first.Respond(42, Entries.Instance("catalog-1"));
        await lookup;

        var second = await harness.Client.NextRequestAsync();
        Assert.Equal(42UL, second.Options.Index);
        Assert.Equal(TimeSpan.FromMinutes(5), second.Options.Wait);
    }

    [Fact]
    public async Task Watch_ChangedIndex_PublishesNewListAndFiresChangeToken()
    {
        await using var harness = new DiscoveryHarness();
        var before = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        blocking.Respond(11, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));
        var next = await harness.Client.NextRequestAsync();

        Assert.True(before.ChangeToken.HasChanged);
        Assert.True(harness.Discovery.TryGetCached("catalog", out var after));
        Assert.Equal(["catalog-1", "catalog-2"], after.Select(i => i.Id));
        Assert.Equal(11UL, after.Index);
        Assert.False(after.ChangeToken.HasChanged);
        Assert.Same(before[0], after[0]);
        Assert.Equal(11UL, next.Options.Index);
    }

    [Fact]
    public async Task Watch_ChangedIndexSameInstances_KeepsListAndToken()
    {
        await using var harness = new DiscoveryHarness();
        var before = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        // e.g. a check's output changed: the index moves, the instances do not.
        blocking.Respond(11, Entries.Instance("catalog-1"));
        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(11UL, next.Options.Index);
        Assert.False(before.ChangeToken.HasChanged);
        Assert.True(harness.Discovery.TryGetCached("catalog", out var after));
        Assert.Same(before, after);
    }

    [Fact]
    public async Task Watch_UnchangedIndex_ReblocksOnSameIndexAfterMinimumInterval()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        // A server answering at once with the same index (wait elapsed, or misbehaving): no spin.
        blocking.Respond(10, Entries.Instance("catalog-1"));
        var delay = await harness.Time.NextDelayAsync();

        Assert.Equal(harness.Options.Discovery.MinimumQueryInterval, delay);
        Assert.False(harness.Client.HasQueuedRequest);
        Assert.Equal(2, harness.Client.RequestCount);

        harness.Time.Advance(delay);
        var next = await harness.Client.NextRequestAsync();
        Assert.Equal(10UL, next.Options.Index);
    }

    [Fact]
    public async Task Watch_UnchangedIndexAfterLongBlock_ReblocksAtOnce()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        // The normal case: the wait elapsed on Consul's side (minutes), nothing changed.
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        blocking.Respond(10, Entries.Instance("catalog-1"));
        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(10UL, next.Options.Index);
        Assert.False(harness.Time.HasUnobservedDelay);
    }

    [Fact]
    public async Task Watch_PathologicalServer_SendsAtMostOneQueryPerMinimumInterval()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));

        for (var i = 0; i < 5; i++)
        {
            var request = await harness.Client.NextRequestAsync();
            request.Respond(10, Entries.Instance("catalog-1"));
            var delay = await harness.Time.NextDelayAsync();
            Assert.Equal(TimeSpan.FromSeconds(1), delay);
            Assert.False(harness.Client.HasQueuedRequest);
            harness.Time.Advance(delay);
        }

        // 1 first fetch + 6 blocking queries over 5 simulated seconds.
        await harness.Client.NextRequestAsync();
        Assert.Equal(7, harness.Client.RequestCount);
    }

    [Fact]
    public async Task Watch_IndexWentBackwards_ResetsToZeroAndPublishesTheAnswer()
    {
        // The index rules alone: with the void grace period (InstanceSnapshotGuardTests) the empty answer would wait.
        await using var harness = new DiscoveryHarness(o => o.Discovery.VoidGracePeriod = TimeSpan.Zero);
        await harness.FirstLookupAsync("catalog", 50, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        // The agent restarted and lost its state: index 7 < 50.
        blocking.Respond(7);
        var delay = await harness.Time.NextDelayAsync();
        harness.Time.Advance(delay);
        var reset = await harness.Client.NextRequestAsync();

        Assert.Equal(0UL, reset.Options.Index);
        Assert.True(harness.Discovery.TryGetCached("catalog", out var instances));
        Assert.Empty(instances);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryIndexReset");

        reset.Respond(7);
        var resumed = await harness.Client.NextRequestAsync();
        Assert.Equal(7UL, resumed.Options.Index);
    }

    [Fact]
    public async Task Watch_ReturnedIndexZero_ClampsToOne()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 0, Entries.Instance("catalog-1"));

        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(1UL, next.Options.Index);
    }

    [Fact]
    public async Task Watch_RepeatedErrors_BackOffExponentiallyUpToTheCap()
    {
        await using var harness = new DiscoveryHarness(o =>
        {
            o.Discovery.RetryDelay = TimeSpan.FromSeconds(1);
            o.Discovery.MaxRetryDelay = TimeSpan.FromSeconds(10);
        });
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 6; i++)
        {
            var request = await harness.Client.NextRequestAsync();
            request.Fail();
            var delay = await harness.Time.NextDelayAsync();
            delays.Add(delay);
            Assert.False(harness.Client.HasQueuedRequest);
            harness.Time.Advance(delay);
        }

        // jitter source fixed at its maximum: the full exponential delay, capped.
        Assert.Equal([1, 2, 4, 8, 10, 10], delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task Watch_ErrorJitter_KeepsAtLeastHalfTheDelay()
    {
        await using var harness = new DiscoveryHarness(jitter: 0.0);
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));

        var request = await harness.Client.NextRequestAsync();
        request.Fail();

        Assert.Equal(TimeSpan.FromMilliseconds(500), await harness.Time.NextDelayAsync());
    }

    [Fact]
    public async Task Watch_ConsulFails_ServesLastKnownGoodAsStaleThenRecovers()
    {
        await using var harness = new DiscoveryHarness();
        var good = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        blocking.Fail();
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        var retry = await harness.Client.NextRequestAsync();

        Assert.True(good.ChangeToken.HasChanged);
        var stale = await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        Assert.True(stale.IsStale);
        Assert.Same(good[0], stale[0]);
        Assert.Equal(good.LastUpdated, stale.LastUpdated);

        // After an error the next query does not block, so recovery shows at once.
        Assert.Equal(0UL, retry.Options.Index);
        retry.Respond(10, Entries.Instance("catalog-1"));
        var resumed = await harness.Client.NextRequestAsync();

        Assert.Equal(10UL, resumed.Options.Index);
        Assert.True(stale.ChangeToken.HasChanged);
        var fresh = await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        Assert.False(fresh.IsStale);
        Assert.Same(good[0], fresh[0]);
    }

    [Fact]
    public async Task Watch_RepeatedFailures_LogOneWarningAndOneRecovery()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));

        for (var i = 0; i < 4; i++)
        {
            var failing = await harness.Client.NextRequestAsync();
            failing.Fail();
            harness.Time.Advance(await harness.Time.NextDelayAsync());
        }

        var recovering = await harness.Client.NextRequestAsync();
        recovering.Respond(10, Entries.Instance("catalog-1"));
        await harness.Client.NextRequestAsync();

        var records = harness.Logger.Collector.GetSnapshot();
        Assert.Single(records, r => r.Level == LogLevel.Warning);
        Assert.Single(records, r => r.Id.Name == "DiscoveryWatchFailed");
        var recovered = Assert.Single(records, r => r.Id.Name == "DiscoveryWatchRecovered");
        Assert.Contains("4 failed attempt(s)", recovered.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_ChangeCallbackThrows_KeepsWatching()
    {
        await using var harness = new DiscoveryHarness();
        var before = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        before.ChangeToken.RegisterChangeCallback(_ => throw new InvalidOperationException("consumer bug"), null);
        var blocking = await harness.Client.NextRequestAsync();

        blocking.Respond(11, Entries.Instance("catalog-2"));
        var next = await harness.Client.NextRequestAsync();

        Assert.Equal(11UL, next.Options.Index);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryChangeCallbackFailed");
    }

    [Fact]
    public async Task Watch_ChangeCallback_RunsOutsideTheWatchLock()
    {
        // A consumer's callback that waits for another thread which needs the watch (as Microsoft.Extensions.
        // ServiceDiscovery's watcher does with its own lock) must not deadlock: the callback runs after the lock is released.
        await using var harness = new DiscoveryHarness();
        var before = await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        var watch = harness.Discovery.FindWatch("catalog")!;
        var otherThreadGotIn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        before.ChangeToken.RegisterChangeCallback(
            _ => otherThreadGotIn.TrySetResult(Task.Run(watch.MarkStale).Wait(TimeSpan.FromSeconds(30))),
            null);
        var blocking = await harness.Client.NextRequestAsync();

        blocking.Respond(11, Entries.Instance("catalog-2"));

        Assert.True(await otherThreadGotIn.Task, "The change callback ran while the watch's lock was held.");
        Assert.True(harness.Discovery.TryGetCached("catalog", out var after));
        Assert.Equal("catalog-2", Assert.Single(after).Id);
    }
}
