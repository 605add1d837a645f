// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// <see cref="ConsulFaultTests"/> in datacenter mode: the faults hit the two datacenter-wide blocking queries
/// (<c>/v1/health/state/any</c>, <c>/v1/catalog/services</c>). The cached answer stays served (stale), each query
/// loop and the name's own reads stay within the backoff or token bucket, and the cache catches up once the fault ends.
/// </summary>
public sealed class DatacenterFaultTests : DiscoveryAgentTestBase
{
    private const string StatePath = "/v1/health/state/";
    private const string ServicesPath = "/v1/catalog/services";
    private static readonly TimeSpan RetryDelay = FaultBounds.RetryDelay;
    private static readonly TimeSpan MaxRetryDelay = FaultBounds.MaxRetryDelay;
    private static readonly TimeSpan MinimumQueryInterval = FaultBounds.MinimumQueryInterval;
    private static readonly TimeSpan FaultWindow = FaultBounds.FaultWindow;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Catalog => Registrar.Name("catalog");

    private string ReadPath => "/v1/health/service/" + Catalog;

    [Theory]
    [InlineData(429, "rate limit exceeded")]
    [InlineData(500, "rpc error making call: injected fault")]
    [InlineData(503, "No cluster leader")]
    public async Task ErrorAnswers_ServeStaleBackOffThenRecover(int status, string body)
    {
        var agent = Consul.RequireTestAgent("answers with injected errors and counts requests");
        var discovery = CreateDiscovery();
        await WatchOneInstanceAsync(discovery);

        // Both datacenter queries and the name's own reads fail from now on.
        agent.FailNextRequests(10_000, status, pathPrefix: StatePath, body: body);
        agent.FailNextRequests(10_000, status, pathPrefix: ServicesPath, body: body);
        agent.FailNextRequests(10_000, status, pathPrefix: ReadPath, body: body);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("catalog-2"); // wakes both blocking queries; every later request fails

        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        await FaultBounds.WaitOutAsync(clock, FaultWindow);
        AssertBackedOff(agent, clock.Elapsed);

        agent.ClearFaults();
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale && i.Count == 2);
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
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        Assert.Same(good, Assert.Single(stale));

        // Each attempt waits out its own timeout before the backoff.
        var allowed = 2 + (int)(clock.Elapsed / TimeSpan.FromMilliseconds(1200));
        FaultBounds.AssertAtMost(agent, StatePath, clock.Elapsed, allowed, "one per 1.2 s timeout");
        FaultBounds.AssertAtMost(agent, ServicesPath, clock.Elapsed, allowed, "one per 1.2 s timeout");

        agent.Latency = TimeSpan.Zero;
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale);
        Assert.Same(good, Assert.Single(fresh));
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 2);
    }

    [Fact]
    public async Task ConnectionDroppedDuringBlockingQueries_ServesStaleThenRecovers()
    {
        var agent = Consul.RequireTestAgent("drops connections and counts requests");
        var discovery = CreateDiscovery();
        var good = await WatchOneInstanceAsync(discovery);

        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await agent.StopAcceptingAsync(Ct); // drops both blocking queries' connections, then refuses new ones
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        Assert.Same(good, Assert.Single(stale));
        await FaultBounds.WaitOutAsync(clock, FaultWindow);

        await agent.StartAcceptingAsync(Ct);
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale);
        Assert.Same(good, Assert.Single(fresh));

        // The queries block again and still see changes.
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 2);
        AssertWithinTokenBucket(agent, clock.Elapsed);
    }

    [Fact]
    public async Task ResponseCutMidBody_ServesStaleBackOffThenCatchesUp()
    {
        var agent = Consul.RequireTestAgent("cuts responses and counts requests");
        var discovery = CreateDiscovery();
        await WatchOneInstanceAsync(discovery);

        // From now on both datacenter answers stop halfway through their JSON (the queries in flight may have
        // passed the hook: then the first change is seen and the next one is the first cut).
        agent.CutNextResponses(10_000, pathPrefix: StatePath);
        agent.CutNextResponses(10_000, pathPrefix: ServicesPath);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("catalog-2");
        var seen = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale || i.Count == 2);
        if (!seen.IsStale)
        {
            await Registrar.RegisterAsync("catalog-3");
        }

        var stale = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.IsStale);
        await FaultBounds.WaitOutAsync(clock, FaultWindow);
        AssertBackedOff(agent, clock.Elapsed);

        // On recovery the answer is compared with the last one before the cut: the name changed, so it is read again.
        await Registrar.RegisterAsync("catalog-4");
        Assert.True((await discovery.GetInstancesAsync(Catalog, Ct)).IsStale);
        agent.ClearFaults();
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => !i.IsStale && i.Any(x => x.Id == Registrar.Id("catalog-4")));
        Assert.True(fresh.Count > stale.Count, $"{fresh.Count} instances after the cut, {stale.Count} during it");
    }

    private IConsulServiceDiscovery CreateDiscovery(Action<ConsulOptions>? configure = null)
    {
        return BuildDiscovery(o =>
        {
            FaultBounds.Configure(o, ConsulWatchMode.Datacenter);
            configure?.Invoke(o);
        });
    }

    /// <summary>Registers catalog-1 and waits until it is served and both datacenter queries block.</summary>
    private async Task<ConsulServiceInstance> WatchOneInstanceAsync(IConsulServiceDiscovery discovery)
    {
        await Registrar.RegisterAsync("catalog-1");
        var instances = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 1 && !i.IsStale);
        var agent = Consul.RequireTestAgent("counts requests");
        await DiscoveryEventually.UntilAsync(
            () => agent.Requests.Any(r => r.Path.StartsWith(StatePath, StringComparison.Ordinal) && r.Query.Contains("index=", StringComparison.Ordinal))
                && agent.Requests.Any(r => r.Path == ServicesPath && r.Query.Contains("index=", StringComparison.Ordinal)),
            "both datacenter queries block");
        return instances[0];
    }

    /// <summary>Each query loop backs off on its own; so do the name's retried reads.</summary>
    private static void AssertBackedOff(ConsulTestAgent agent, TimeSpan elapsed)
    {
        var allowed = FaultBounds.Backoff(elapsed, RetryDelay, MaxRetryDelay);
        var state = FaultBounds.AssertAtMost(agent, StatePath, elapsed, allowed, "the backoff");
        var services = FaultBounds.AssertAtMost(agent, ServicesPath, elapsed, allowed, "the backoff");
        Assert.True(state >= 2 || services >= 2, $"{state} and {services} queries in {elapsed.TotalMilliseconds:F0} ms: the watch stopped retrying");
        FaultBounds.AssertAtMost(agent, "/v1/health/service/", elapsed, state + services + allowed, "one per answer plus the backoff");
    }

    private void AssertWithinTokenBucket(ConsulTestAgent agent, TimeSpan elapsed)
    {
        var allowed = FaultBounds.TokenBucketAllows(elapsed, MinimumQueryInterval);
        var state = FaultBounds.AssertAtMost(agent, StatePath, elapsed, allowed, "the token bucket");
        var services = FaultBounds.AssertAtMost(agent, ServicesPath, elapsed, allowed, "the token bucket");

        // A name is read when an answer shows it changed, and retried with backoff when the read fails.
        FaultBounds.AssertAtMost(agent, ReadPath, elapsed, state + services + FaultBounds.Backoff(elapsed, RetryDelay, MaxRetryDelay), "one per answer plus the backoff");
    }
}
