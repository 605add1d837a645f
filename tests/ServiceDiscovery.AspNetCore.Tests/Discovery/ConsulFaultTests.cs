// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Internal;
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
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan MinimumQueryInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan FaultWindow = TimeSpan.FromMilliseconds(1500);

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
        var allowed = 2 + (int)(clock.Elapsed / TimeSpan.FromMilliseconds(1200));
        var sent = Report(agent, clock.Elapsed, allowed);
        Assert.True(sent <= allowed, $"{sent} queries in {clock.Elapsed.TotalMilliseconds:F0} ms while each took over 1.2 s (at most {allowed})");

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
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = Consul.Address.ToString(), ["Consul:Token"] = Consul.Token })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddConsulDiscoveryClient(o =>
        {
            o.Discovery.WatchMode = ConsulWatchMode.PerService;
            o.Discovery.RetryDelay = RetryDelay;
            o.Discovery.MaxRetryDelay = MaxRetryDelay;
            o.Discovery.MinimumQueryInterval = MinimumQueryInterval;
            configure?.Invoke(o);
        });
        Provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return Provider.GetRequiredService<IConsulServiceDiscovery>();
    }

    private async Task<ConsulServiceInstance> WatchOneInstanceAsync(IConsulServiceDiscovery discovery)
    {
        await Registrar.RegisterAsync("catalog-1");
        var instances = await DiscoveryEventually.InstancesAsync(discovery, Catalog, i => i.Count == 1 && !i.IsStale);
        return instances[0];
    }

    /// <summary>A measuring window, not synchronisation: the fault lasts this long before the request count is checked.</summary>
    private static Task WaitOutFaultWindowAsync(Stopwatch clock) =>
        DiscoveryEventually.UntilAsync(() => clock.Elapsed >= FaultWindow, $"the fault lasted {FaultWindow}");

    /// <summary>
    /// Failing queries back off: <see cref="RetryDelay"/> doubling up to <see cref="MaxRetryDelay"/>, the jitter keeping
    /// at least half of each step. Counts how many queries can fit in <paramref name="elapsed"/>, plus the one in flight.
    /// </summary>
    private void AssertBackedOff(ConsulTestAgent agent, TimeSpan elapsed)
    {
        var allowed = 2;
        var waited = TimeSpan.Zero;
        for (var failures = 1; ; failures++)
        {
            var step = RetryDelay * Math.Pow(2, failures - 1);
            waited += (step < MaxRetryDelay ? step : MaxRetryDelay) / 2;
            if (waited > elapsed)
            {
                break;
            }

            allowed++;
        }

        var sent = Report(agent, elapsed, allowed);
        Assert.True(sent <= allowed, $"{sent} queries in {elapsed.TotalMilliseconds:F0} ms (backoff allows at most {allowed})");
        Assert.True(sent >= 2, $"only {sent} queries in {elapsed.TotalMilliseconds:F0} ms: the watch stopped retrying");
    }

    /// <summary>A watch's token bucket: a burst of <see cref="TokenBucket.WatchBurst"/>, then one per <see cref="MinimumQueryInterval"/>.</summary>
    private void AssertWithinTokenBucket(ConsulTestAgent agent, TimeSpan elapsed)
    {
        var allowed = TokenBucket.WatchBurst + (int)(elapsed / MinimumQueryInterval) + 1;
        var sent = Report(agent, elapsed, allowed);
        Assert.True(sent <= allowed, $"{sent} queries in {elapsed.TotalMilliseconds:F0} ms (the token bucket allows at most {allowed})");
    }

    /// <summary>Counts the watch's queries and writes the measurement to the test output (docs/reliability.md quotes it).</summary>
    private int Report(ConsulTestAgent agent, TimeSpan elapsed, int allowed)
    {
        var sent = agent.CountRequests(CatalogPath);
        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} queries in {elapsed.TotalMilliseconds:F0} ms (at most {allowed} allowed)");
        return sent;
    }
}
