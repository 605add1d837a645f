// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// Consul misbehaving under a per-name watch, driven by the test agent's fault hooks (so these tests skip against a
/// real Consul): rate limiting, server errors, answers slower than <c>Consul:Timeout</c>, a connection dropped in the
/// middle of a blocking query, and an index that goes backwards. Each checks that the cache keeps serving the last
/// known instances, recovers when the fault ends, and that the agent saw a bounded number of requests.
/// </summary>
public sealed class ConsulFaultTests : DiscoveryAgentTestBase
{
    private static readonly TimeSpan RetryDelay = FaultBounds.RetryDelay;
    private static readonly TimeSpan MaxRetryDelay = FaultBounds.MaxRetryDelay;
    private static readonly TimeSpan MinimumQueryInterval = FaultBounds.MinimumQueryInterval;
    private static readonly TimeSpan FaultWindow = FaultBounds.FaultWindow;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Catalog => Registrar.Name("catalog");

    private string CatalogPath => "/v1/health/service/" + Catalog;

    [Theory]
    [InlineData(429, "rate limit exceeded")]
    [InlineData(500, "rpc error making call: injected fault")]
    [InlineData(503, "No cluster leader")]
    public async Task ErrorAnswers_ServeStaleBackOffThenRecover(int status, string body)
    {
        var agent = Consul.RequireTestAgent("answers with injected errors and counts requests");
        var discovery = CreateDiscovery();
        var good = await WatchOneInstanceAsync(discovery);

        agent.FailNextRequests(10_000, status, pathPrefix: CatalogPath, body: body);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("catalog-2"); // wakes the blocking query; every later query fails

        // Last known good: catalog-1, and catalog-2 too when the query in flight had passed the fault hook already.
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        Assert.Same(good, stale[0]);
        await WaitOutFaultWindowAsync(clock);
        AssertBackedOff(agent, clock.Elapsed);

        agent.ClearFaults();
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale && i.Count == 2);
        Assert.Contains(fresh, i => i.Id == Registrar.Id("catalog-2"));
    }

    [Fact]
    public async Task AnswersSlowerThanTimeout_ServeStaleBackOffThenRecover()
    {
        var agent = Consul.RequireTestAgent("delays answers and counts requests");

        // A request may take Consul:Timeout plus the blocking wait and its sixteenth: 200 ms + 1 s + 62.5 ms.
        var discovery = CreateDiscovery(o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(200);
            o.Discovery.WaitTime = TimeSpan.FromSeconds(1);
        });
        var good = await WatchOneInstanceAsync(discovery);

        agent.Latency = TimeSpan.FromSeconds(5);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        // The blocking query in flight returns after its 1 s wait; the next ones are slowed past their timeout.
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        Assert.Same(good, Assert.Single(stale));

        // Each attempt waits out its own timeout before the backoff, so fewer than a backoff alone allows.
        FaultBounds.AssertAtMost(agent, CatalogPath, clock.Elapsed, 2 + (int)(clock.Elapsed / TimeSpan.FromMilliseconds(1200)), "one per 1.2 s timeout");

        agent.Latency = TimeSpan.Zero;
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale);
        Assert.Same(good, Assert.Single(fresh));
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 2);
    }

    [Fact]
    public async Task ConnectionDroppedDuringBlockingQuery_ServesStaleThenRecovers()
    {
        var agent = Consul.RequireTestAgent("drops connections and counts requests");
        var discovery = CreateDiscovery();
        var good = await WatchOneInstanceAsync(discovery);
        await DiscoveryEventually.UntilAsync(
            () => agent.Requests.Any(r => r.Path == CatalogPath && r.Query.Contains("index=", StringComparison.Ordinal)),
            "a blocking query is in flight");

        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await agent.StopAcceptingAsync(Ct); // drops the blocking query's connection, then refuses new ones
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        Assert.Same(good, Assert.Single(stale));
        await WaitOutFaultWindowAsync(clock);

        await agent.StartAcceptingAsync(Ct);
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale);
        Assert.Same(good, Assert.Single(fresh));

        // The watch blocks again and still sees changes.
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 2);
        AssertWithinTokenBucket(agent, clock.Elapsed);
    }

    [Fact]
    public async Task ResponseCutMidBody_ServesStaleBackOffThenRecover()
    {
        var agent = Consul.RequireTestAgent("cuts responses and counts requests");
        var discovery = CreateDiscovery();
        await WatchOneInstanceAsync(discovery);

        // From now on every answer stops halfway through its JSON; the query in flight may have passed the hook.
        agent.CutNextResponses(10_000, pathPrefix: CatalogPath);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("catalog-2");
        var seen = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale || i.Count == 2);
        if (!seen.IsStale)
        {
            await Registrar.RegisterAsync("catalog-3"); // the next answer is the first one cut
        }

        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        await WaitOutFaultWindowAsync(clock);
        AssertBackedOff(agent, clock.Elapsed);

        agent.ClearFaults();
        await Registrar.RegisterAsync("catalog-4");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale && i.Any(x => x.Id == Registrar.Id("catalog-4")));
    }

    [Fact]
    public async Task IndexResetToZeroAndBackwards_HoldsInstancesNoHotLoopThenFollows()
    {
        var agent = Consul.RequireTestAgent("restarts the agent without its state and counts requests");
        if (Consul.IsCluster)
        {
            Assert.Skip("in a cluster the index lives on the servers and does not go backwards when a client agent restarts");
        }

        var discovery = CreateDiscovery(o => o.Discovery.VoidGracePeriod = TimeSpan.FromSeconds(30));
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2");
        var good = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 2);
        var indexBefore = agent.Index;

        await agent.RestartAsync(keepState: false, Ct);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        Assert.True(agent.Index < indexBefore, $"index {agent.Index} after the restart, {indexBefore} before");

        // The empty agent has answered (twice: the guard asks again to see the answer settle), yet both are served.
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests(CatalogPath) >= 2, "the watch asked the restarted agent");
        var held = await discovery.GetInstancesAsync(Catalog, Ct);
        Assert.Equal(good.Select(i => i.Id), held.Select(i => i.Id));

        // The instances come back (as a registration does after a restart), then one more: the watch follows the new index.
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2");
        await Registrar.RegisterAsync("catalog-3");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 3 && !i.IsStale);
        await WaitOutFaultWindowAsync(clock);
        AssertWithinTokenBucket(agent, clock.Elapsed);
    }

    private IConsulServiceDiscovery CreateDiscovery(Action<ConsulOptions>? configure = null)
    {
        return BuildDiscovery(o =>
        {
            FaultBounds.Configure(o, ConsulWatchMode.PerService);
            configure?.Invoke(o);
        });
    }

    private async Task<ConsulServiceInstance> WatchOneInstanceAsync(IConsulServiceDiscovery discovery)
    {
        await Registrar.RegisterAsync("catalog-1");
        var instances = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 1 && !i.IsStale);
        return instances[0];
    }

    private static Task WaitOutFaultWindowAsync(Stopwatch clock) => FaultBounds.WaitOutAsync(clock, FaultWindow);

    private void AssertBackedOff(ConsulTestAgent agent, TimeSpan elapsed)
    {
        var sent = FaultBounds.AssertAtMost(agent, CatalogPath, elapsed, FaultBounds.Backoff(elapsed, RetryDelay, MaxRetryDelay), "the backoff");
        Assert.True(sent >= 2, $"only {sent} queries in {elapsed.TotalMilliseconds:F0} ms: the watch stopped retrying");
    }

    private void AssertWithinTokenBucket(ConsulTestAgent agent, TimeSpan elapsed) =>
        FaultBounds.AssertAtMost(agent, CatalogPath, elapsed, FaultBounds.TokenBucketAllows(elapsed, MinimumQueryInterval), "the token bucket");
}
