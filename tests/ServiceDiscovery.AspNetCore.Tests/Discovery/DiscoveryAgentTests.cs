// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// The discovery cache end to end: the real client, over loopback HTTP, against <see cref="ConsulTarget"/>: the test
/// agent, or the real Consul of <c>CONSUL_HTTP_ADDR</c>. Every name runs its own blocking query here;
/// <see cref="DatacenterDiscoveryAgentTests"/> runs the same tests with the datacenter watch.
/// </summary>
public class DiscoveryAgentTests : DiscoveryAgentTestBase
{
    private const string PerNameRequests = "counts per-name blocking queries, which datacenter mode does not make (DatacenterWatchAgentTests covers its requests)";

    /// <summary>How the tests' discovery caches watch names.</summary>
    protected virtual ConsulWatchMode Mode => ConsulWatchMode.PerService;

    private IConsulServiceDiscovery CreateDiscovery(Action<ConsulOptions>? configure = null)
    {
        return BuildDiscovery(o =>
        {
            o.Discovery.RetryDelay = TimeSpan.FromMilliseconds(50);
            o.Discovery.MaxRetryDelay = TimeSpan.FromMilliseconds(400);
            o.Discovery.WatchMode = Mode;
            configure?.Invoke(o);
        });
    }

    [Fact]
    public async Task NewInstance_Appears()
    {
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1", port: 5001);
        var first = await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);
        Assert.Equal(Registrar.Id("catalog-1"), Assert.Single(first).Id);

        await Registrar.RegisterAsync("catalog-2", port: 5002);

        var instances = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 2);
        Assert.Equal(new Uri("http://127.0.0.1:5002/"), instances[1].Uri);
        Assert.Equal("dc1", instances[1].Datacenter);
    }

    [Fact]
    public async Task UnknownService_IsAnEmptyList()
    {
        var discovery = CreateDiscovery();

        var instances = await discovery.GetInstancesAsync(Registrar.Name("nobody"), TestContext.Current.CancellationToken);

        Assert.Empty(instances);
        Assert.False(instances.IsStale);
    }

    [Fact]
    public async Task FailingInstance_Disappears()
    {
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 2);

        await Registrar.SetStatusAsync("catalog-2", "critical");

        var instances = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 1);
        Assert.Equal(Registrar.Id("catalog-1"), instances[0].Id);
    }

    [Fact]
    public async Task Maintenance_Removes()
    {
        var discovery = CreateDiscovery(o => o.Discovery.PassingOnly = false);
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 2);

        await Registrar.MaintenanceAsync("catalog-1", enable: true);
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 1 && i[0].Id == Registrar.Id("catalog-2"));

        await Registrar.MaintenanceAsync("catalog-1", enable: false);
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 2);
    }

    [Fact]
    public async Task Deregister_Removes()
    {
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 2);

        await Registrar.DeregisterAsync("catalog-1");

        var instances = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 1);
        Assert.Equal(Registrar.Id("catalog-2"), instances[0].Id);
    }

    [Fact]
    public async Task TagFilter_KeepsInstancesWithEveryTag()
    {
        var discovery = CreateDiscovery(o =>
        {
            o.Discovery.Tags.Add("v2");
            o.Discovery.Services[Registrar.Name("orders")] = new ConsulServiceQueryOptions();
            o.Discovery.Services[Registrar.Name("orders")].Tags.Add("blue");
        });
        await Registrar.RegisterAsync("catalog-1", tags: ["v1"]);
        await Registrar.RegisterAsync("catalog-2", tags: ["V2", "blue"]);
        await Registrar.RegisterAsync("orders-1", name: "orders", tags: ["v2"]);
        await Registrar.RegisterAsync("orders-2", name: "orders", tags: ["blue"]);

        var catalog = await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);
        var orders = await discovery.GetInstancesAsync(Registrar.Name("orders"), TestContext.Current.CancellationToken);

        Assert.Equal(Registrar.Id("catalog-2"), Assert.Single(catalog).Id);
        Assert.Equal(Registrar.Id("orders-2"), Assert.Single(orders).Id);
    }

    [Fact]
    public async Task PassingFilter_WarningOnlyWhenAskedFor()
    {
        var discovery = CreateDiscovery(o => o.Discovery.Services[Registrar.Name("catalog")] = new ConsulServiceQueryOptions { PassingOnly = false });
        await Registrar.RegisterAsync("catalog-1");
        await Registrar.RegisterAsync("catalog-2", status: "warning");
        await Registrar.RegisterAsync("catalog-3", status: "critical");
        await Registrar.RegisterAsync("orders-1", name: "orders");
        await Registrar.RegisterAsync("orders-2", name: "orders", status: "warning");

        var catalog = await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);
        var orders = await discovery.GetInstancesAsync(Registrar.Name("orders"), TestContext.Current.CancellationToken);

        Assert.Equal([Registrar.Id("catalog-1"), Registrar.Id("catalog-2")], catalog.Select(i => i.Id));
        Assert.Equal(ConsulCheckStatus.Warning, catalog[1].CheckStatus);
        Assert.Equal(Registrar.Id("orders-1"), Assert.Single(orders).Id);
    }

    [Fact]
    public async Task ConsulOutage_ServesLastKnownGoodAsStaleThenRecovers()
    {
        var agent = Consul.RequireTestAgent("stops the agent accepting connections");
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        var good = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 1);

        await agent.StopAcceptingAsync(TestContext.Current.CancellationToken);
        var stale = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.IsStale);
        Assert.Same(good[0], stale[0]);

        await agent.StartAcceptingAsync(TestContext.Current.CancellationToken);
        var fresh = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => !i.IsStale);
        Assert.Same(good[0], fresh[0]);
    }

    [Fact]
    public async Task NeverFetched_ConsulDown_ThrowsNamingServiceAndAddress()
    {
        var agent = Consul.RequireTestAgent("stops the agent accepting connections");
        var discovery = CreateDiscovery();
        await agent.StopAcceptingAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ConsulException>(() => discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("'catalog'", error.Message, StringComparison.Ordinal);
        Assert.Contains(agent.Address.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentRestartLosingState_IndexResetsAndNewRegistrationsShow()
    {
        var agent = Consul.RequireTestAgent("restarts the agent without its state");
        if (Consul.IsCluster)
        {
            // A client agent restarted without its data loses only its local state: the datacenter's index lives on
            // the servers and never goes backwards, so there is no reset to observe.
            Assert.Skip("in a cluster the index lives on the servers and does not go backwards when a client agent restarts");
        }

        // The index rules alone: the void grace period (InstanceSnapshotGuardTests) would hold the 20 for 10 s.
        var discovery = CreateDiscovery(o => o.Discovery.VoidGracePeriod = TimeSpan.Zero);
        for (var i = 0; i < 20; i++)
        {
            await Registrar.RegisterAsync($"catalog-{i}");
        }

        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 20);
        var indexBefore = agent.Index;

        await agent.RestartAsync(keepState: false, TestContext.Current.CancellationToken);
        Assert.True(agent.Index < indexBefore);
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 0 && !i.IsStale);

        // Still blocking on the old, higher index would hide this until the new agent's index caught up.
        await Registrar.RegisterAsync("catalog-new");
        var instances = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), i => i.Count == 1);
        Assert.Equal(Registrar.Id("catalog-new"), instances[0].Id);
    }

    [Fact]
    public async Task ConsulErrors_NoRequestStorm()
    {
        Assert.SkipWhen(Mode == ConsulWatchMode.Datacenter, PerNameRequests);
        var agent = Consul.RequireTestAgent("injects failures and counts requests");
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);

        agent.FailNextRequests(1000, statusCode: 500, pathPrefix: "/v1/health/service/");
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("catalog-2"); // wakes the blocking query, which now fails
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/service/catalog") >= 6, "six queries were sent");
        var elapsed = clock.Elapsed;

        // Backoff 50 ms doubling to 400 ms, jitter keeping at least half: the five waits between six queries last at
        // least 25 + 50 + 100 + 200 + 200 ms. A retry loop without backoff would send hundreds in that time.
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(575), $"6 queries in {elapsed.TotalMilliseconds} ms");
        Assert.True((await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken)).IsStale);
    }

    [Fact]
    public async Task IdleName_StopsBeingWatched()
    {
        Assert.SkipWhen(Mode == ConsulWatchMode.Datacenter, PerNameRequests);
        var agent = Consul.RequireTestAgent("counts requests");
        var discovery = CreateDiscovery(o => o.Discovery.IdleTimeout = TimeSpan.FromMilliseconds(500));
        await Registrar.RegisterAsync("catalog-1");
        var instances = await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);
        var cache = Provider!.GetRequiredService<ConsulServiceDiscovery>();

        // The blocking query must have reached the agent before eviction cancels it; otherwise, on a loaded machine, it
        // can arrive after ClearRequests below and be miscounted as a request made after eviction.
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/service/catalog") == 2, "the blocking query was sent");
        // Eviction removes the name, then tells holders of its list (their change token fires) on the sweeping
        // thread: wait for both, as a reader that checked only the first could read the token in between.
        await DiscoveryEventually.UntilAsync(() => cache.WatchedNames.Count == 0, "the idle name was evicted");
        await DiscoveryEventually.UntilAsync(() => instances.ChangeToken.HasChanged, "holders of the evicted list were told");

        agent.ClearRequests();
        await Registrar.RegisterAsync("catalog-2");
        Assert.Equal(0, agent.CountRequests("/v1/health/service/catalog"));
    }

    [Fact]
    public async Task ConcurrentFirstLookups_MakeOneRequest()
    {
        Assert.SkipWhen(Mode == ConsulWatchMode.Datacenter, "the datacenter watch reads a new name when it is added and once more after both datacenter queries first answer");
        var agent = Consul.RequireTestAgent("adds latency and counts requests");
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        agent.Latency = TimeSpan.FromMilliseconds(100); // keep the first fetch in flight while the others arrive

        var lookups = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken).AsTask(), TestContext.Current.CancellationToken));
        var results = await Task.WhenAll(lookups);
        agent.Latency = TimeSpan.Zero;

        Assert.All(results, r => Assert.Same(results[0], r));
        var nonBlocking = agent.Requests.Count(r => r.Path == "/v1/health/service/catalog" && !r.Query.Contains("index=", StringComparison.Ordinal));
        Assert.Equal(1, nonBlocking);
    }

    [Fact]
    public async Task Dispose_CancelsBlockingQueriesPromptly()
    {
        Assert.SkipWhen(Mode == ConsulWatchMode.Datacenter, PerNameRequests);
        var agent = Consul.RequireTestAgent("counts requests");
        var discovery = CreateDiscovery();
        await Registrar.RegisterAsync("catalog-1");
        await discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken);
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/service/catalog") == 2, "the blocking query was sent");

        var clock = Stopwatch.StartNew();
        await Provider!.DisposeAsync();
        Provider = null;

        // Far below the 5-minute blocking wait: the query was cancelled, not waited out.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"disposal took {clock.Elapsed}");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => discovery.GetInstancesAsync(Registrar.Name("catalog"), TestContext.Current.CancellationToken).AsTask());
    }
}
