// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Lookups: first-fetch sharing, cache answers, failures, idle eviction and disposal.</summary>
public sealed class ConsulServiceDiscoveryTests
{
    [Fact]
    public async Task GetInstancesAsync_ConcurrentFirstLookups_ShareOneRequest()
    {
        await using var harness = new DiscoveryHarness();
        var lookups = Enumerable.Range(0, 32)
            .Select(_ => Task.Run(() => harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask(), TestContext.Current.CancellationToken))
            .ToArray();

        var request = await harness.Client.NextRequestAsync();
        await Task.Run(() => Assert.Equal(1, harness.Client.RequestCount), TestContext.Current.CancellationToken);
        request.Respond(5, Entries.Instance("catalog-1"));
        var results = await Task.WhenAll(lookups);

        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Equal("catalog-1", Assert.Single(results[0]).Id);
        await harness.Client.NextRequestAsync();
        Assert.Equal(2, harness.Client.RequestCount);
    }

    [Fact]
    public async Task GetInstancesAsync_AfterFirstFetch_AnswersSynchronouslyFromCache()
    {
        await using var harness = new DiscoveryHarness();
        var first = await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        await harness.Client.NextRequestAsync();

        var second = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);

        Assert.True(second.IsCompletedSuccessfully);
        Assert.Same(first, await second);
        Assert.Equal(2, harness.Client.RequestCount);
    }

    [Fact]
    public async Task GetInstancesAsync_NoInstances_ReturnsEmptyList()
    {
        await using var harness = new DiscoveryHarness();

        var result = await harness.FirstLookupAsync("catalog", 3);

        Assert.Empty(result);
        Assert.False(result.IsStale);
        Assert.Equal("catalog", result.ServiceName);
    }

    [Fact]
    public async Task GetInstancesAsync_NeverFetchedAndConsulUnreachable_ThrowsNamingServiceAndAddress()
    {
        await using var harness = new DiscoveryHarness();
        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);

        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);

        var error = await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.Contains("'catalog'", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://127.0.0.1:8500/", error.Message, StringComparison.Ordinal);
        Assert.Contains("could not be reached", error.Message, StringComparison.Ordinal);
        Assert.IsType<ConsulException>(error.InnerException);
    }

    [Fact]
    public async Task GetInstancesAsync_ConsulAnswersError_MessageCarriesStatusAndBody()
    {
        await using var harness = new DiscoveryHarness();
        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);

        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ApiError, HttpStatusCode.Forbidden, "ACL not found");

        var error = await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("answered 403: ACL not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetInstancesAsync_DuringFirstFetchBackoff_RetriesAfterTheMinimumIntervalNotTheBackoff()
    {
        await using var harness = new DiscoveryHarness(o => { o.Discovery.RetryDelay = TimeSpan.FromSeconds(30); o.Discovery.MaxRetryDelay = TimeSpan.FromMinutes(1); });
        var first = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail();
        await Assert.ThrowsAsync<ConsulException>(() => first.AsTask());
        Assert.Equal(TimeSpan.FromSeconds(30), await harness.Time.NextDelayAsync());

        // A caller retrying (Consul may be back) cuts the backoff short; every lookup meanwhile shares that one attempt.
        var second = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask();
        var third = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask();
        Assert.Equal(TimeSpan.FromSeconds(1), await harness.Time.NextDelayAsync()); // MinimumQueryInterval since the failed attempt
        Assert.False(harness.Client.HasQueuedRequest);
        Assert.False(second.IsCompleted);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        (await harness.Client.NextRequestAsync()).Respond(4, Entries.Instance("catalog-1"));

        Assert.Equal("catalog-1", Assert.Single(await second).Id);
        Assert.Same(await second, await third);
        await harness.Client.NextRequestAsync(); // the blocking query that follows
        Assert.Equal(3, harness.Client.RequestCount);
    }

    [Fact]
    public async Task GetInstancesAsync_DuringFirstFetchBackoff_FailsAgainWhenTheEarlyAttemptFails()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.RetryDelay = TimeSpan.FromSeconds(20));
        var first = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail();
        await Assert.ThrowsAsync<ConsulException>(() => first.AsTask());
        await harness.Time.NextDelayAsync();

        var second = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask();
        harness.Time.Advance(await harness.Time.NextDelayAsync());
        (await harness.Client.NextRequestAsync()).Fail();

        await Assert.ThrowsAsync<ConsulException>(() => second);
        Assert.Equal(TimeSpan.FromSeconds(30), await harness.Time.NextDelayAsync()); // backoff goes on growing (capped)
        Assert.Equal(2, harness.Client.RequestCount);
    }

    [Fact]
    public async Task GetInstancesAsync_CallerCancels_SharedFetchContinues()
    {
        await using var harness = new DiscoveryHarness();
        using var cts = new CancellationTokenSource();
        var cancelled = harness.Discovery.GetInstancesAsync("catalog", cts.Token);
        var request = await harness.Client.NextRequestAsync();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.AsTask());
        Assert.False(request.CancellationToken.IsCancellationRequested);

        request.Respond(2, Entries.Instance("catalog-1"));
        await harness.Client.NextRequestAsync();
        Assert.True(harness.Discovery.TryGetCached("catalog", out _));
    }

    [Fact]
    public async Task TryGetCached_NameNotWatched_ReturnsFalseWithoutQuerying()
    {
        await using var harness = new DiscoveryHarness();

        Assert.False(harness.Discovery.TryGetCached("catalog", out var instances));
        Assert.Null(instances);
        Assert.Equal(0, harness.Client.RequestCount);
    }

    [Fact]
    public async Task TryGetCached_AfterFetch_ReturnsTheCachedList()
    {
        await using var harness = new DiscoveryHarness();
        var fetched = await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));

        Assert.True(harness.Discovery.TryGetCached("catalog", out var cached));
        Assert.Same(fetched, cached);
    }

    [Fact]
    public async Task GetInstancesAsync_InvalidName_Throws()
    {
        await using var harness = new DiscoveryHarness();

        await Assert.ThrowsAsync<ArgumentNullException>("serviceName", () => harness.Discovery.GetInstancesAsync(null!, TestContext.Current.CancellationToken).AsTask());
        await Assert.ThrowsAsync<ArgumentException>("serviceName", () => harness.Discovery.GetInstancesAsync("", TestContext.Current.CancellationToken).AsTask());
        Assert.Throws<ArgumentNullException>("serviceName", () => harness.Discovery.TryGetCached(null!, out _));
    }

    [Fact]
    public async Task IdleName_IsEvictedCancellingItsQueryAndFiringItsToken()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.IdleTimeout = TimeSpan.FromMinutes(10));
        var instances = await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();

        AdvanceMinutes(harness, 9);
        Assert.Contains("catalog", harness.Discovery.WatchedNames);

        // Evicted between IdleTimeout and 1.5 x IdleTimeout after the last lookup.
        AdvanceMinutes(harness, 6);
        Assert.DoesNotContain("catalog", harness.Discovery.WatchedNames);
        Assert.True(blocking.CancellationToken.IsCancellationRequested);
        Assert.True(instances.ChangeToken.HasChanged);
        Assert.False(harness.Discovery.TryGetCached("catalog", out _));

        // The next lookup watches it again.
        var again = await harness.FirstLookupAsync("catalog", 6, Entries.Instance("catalog-1"));
        Assert.Single(again);
    }

    [Fact]
    public async Task LookedUpName_IsNotEvicted()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.IdleTimeout = TimeSpan.FromMinutes(10));
        await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        await harness.FirstLookupAsync("orders", 5, Entries.Instance("orders-1", service: "orders"));

        for (var minute = 0; minute < 30; minute++)
        {
            Assert.True(harness.Discovery.TryGetCached("catalog", out _));
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(["catalog"], harness.Discovery.WatchedNames);
    }

    [Fact]
    public async Task IdleTimeoutInfinite_NeverEvicts()
    {
        await using var harness = new DiscoveryHarness(o => o.Discovery.IdleTimeout = Timeout.InfiniteTimeSpan);
        await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));

        AdvanceMinutes(harness, 120);

        Assert.Contains("catalog", harness.Discovery.WatchedNames);
    }

    [Fact]
    public async Task DisposeAsync_CancelsEveryWatchAndRejectsNewLookups()
    {
        var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        var blocking = await harness.Client.NextRequestAsync();
        var pendingFirst = harness.Discovery.GetInstancesAsync("orders", TestContext.Current.CancellationToken);
        var ordersRequest = await harness.Client.NextRequestAsync();

        await harness.DisposeAsync();

        Assert.True(blocking.CancellationToken.IsCancellationRequested);
        Assert.True(ordersRequest.CancellationToken.IsCancellationRequested);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pendingFirst.AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken).AsTask());
        Assert.Empty(harness.Discovery.WatchedNames);
    }

    [Fact]
    public async Task CachedLookup_AllocatesNothing()
    {
        await using var harness = new DiscoveryHarness();
        await harness.FirstLookupAsync("catalog", 5, Entries.Instance("catalog-1"));
        for (var i = 0; i < 10; i++)
        {
            _ = harness.Discovery.TryGetCached("catalog", out _);
            _ = await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            _ = harness.Discovery.TryGetCached("catalog", out _);
            _ = await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void AdvanceMinutes(DiscoveryHarness harness, int minutes)
    {
        // Step by step, as real time passes: each sweep then sees its own time.
        for (var i = 0; i < minutes; i++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }
    }
}
