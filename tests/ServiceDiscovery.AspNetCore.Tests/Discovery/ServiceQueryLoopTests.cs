// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>A name's own blocking-query loop, alone: what it tells its sink, the wake-up, and stopping.</summary>
public sealed class ServiceQueryLoopTests
{
    [Fact]
    public async Task ReportsAttemptsAnswersAndFailures_WakeCutsTheBackoffToTheInterval_StopCancelsTheBlockingQuery()
    {
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new DiscoveryMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var options = new ConsulOptions();
        options.Discovery.RetryDelay = TimeSpan.FromSeconds(20);
        var client = new FakeConsulHealthApi();
        var time = new ObservableFakeTimeProvider();
        var logger = new FakeLogger();
        var context = new DiscoveryWatchContext(client, options.Discovery, time, metrics, logger, () => 1.0, snapshots: null);
        var guard = new InstanceSnapshotGuard("catalog", options.Discovery, time, metrics, logger);
        var sink = new RecordingSink();
        using var loop = new ServiceQueryLoop(DiscoveryQuery.Create("catalog", options), context, guard, sink);

        loop.Start(caller: null);
        (await client.NextRequestAsync()).Fail();
        Assert.Equal(TimeSpan.FromSeconds(20), await time.NextDelayAsync());

        // Woken: the 20 s backoff ends, but the next query still waits for MinimumQueryInterval after the failed one.
        loop.Wake();
        Assert.Equal(options.Discovery.MinimumQueryInterval, await time.NextDelayAsync());
        Assert.False(client.HasQueuedRequest);
        time.Advance(options.Discovery.MinimumQueryInterval);
        var retry = await client.NextRequestAsync();
        Assert.Equal(0UL, retry.Options.Index);
        retry.Respond(5, Entries.Instance("catalog-1"));

        var blocking = await client.NextRequestAsync();
        Assert.Equal(5UL, blocking.Options.Index);
        await loop.StopAsync();

        Assert.True(blocking.Response.IsCanceled);
        Assert.Equal(3, sink.Attempts);
        Assert.Equal(1, Assert.Single(sink.Failures).Failures);
        Assert.Equal((5UL, 1, 1), Assert.Single(sink.Answers));
    }
}
