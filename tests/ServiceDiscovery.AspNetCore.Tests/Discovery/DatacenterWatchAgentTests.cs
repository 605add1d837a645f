// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Internal;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// What datacenter mode sends and when it switches, against <see cref="ConsulTarget"/> (the public behaviour itself is
/// <see cref="DatacenterDiscoveryAgentTests"/>).
/// </summary>
public sealed class DatacenterWatchAgentTests : DiscoveryAgentTestBase
{
    [Fact]
    public async Task CheckFlip_RefreshesOnlyThatName()
    {
        var agent = Consul.RequireTestAgent("counts requests");
        var discovery = CreateDiscovery(ConsulWatchMode.Datacenter);
        for (var i = 0; i < 10; i++)
        {
            await Registrar.RegisterAsync($"inst-{i}", name: $"svc{i}");
        }

        for (var i = 0; i < 10; i++)
        {
            await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name($"svc{i}"), x => x.Count == 1);
        }

        // Names read before both datacenter answers arrived are read once more after them; those reads are not the flip's.
        var cache = (ConsulServiceDiscovery)discovery;
        await DiscoveryEventually.UntilAsync(() => cache.DatacenterWatchIdle, "the datacenter watch read every name");
        agent.ClearRequests();
        await Registrar.SetStatusAsync("inst-3", "critical");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("svc3"), x => x.Count == 0);

        var reads = agent.Requests.Where(r => r.Path.StartsWith("/v1/health/service/", StringComparison.Ordinal)).Select(r => r.Path).Distinct();
        Assert.Equal("/v1/health/service/" + Registrar.Name("svc3"), Assert.Single(reads));
        Assert.DoesNotContain(agent.Requests, r => r.Path.StartsWith("/v1/health/service/", StringComparison.Ordinal) && r.Query.Contains("index=", StringComparison.Ordinal));
        Assert.Single(await discovery.GetInstancesAsync(Registrar.Name("svc4"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IdleName_IsEvictedAndNoLongerRead()
    {
        var agent = Consul.RequireTestAgent("counts requests");
        var discovery = CreateDiscovery(ConsulWatchMode.Datacenter, idleTimeout: TimeSpan.FromMilliseconds(500));
        var cache = (ConsulServiceDiscovery)discovery;
        await Registrar.RegisterAsync("idle-1", name: "idle");
        await Registrar.RegisterAsync("busy-1", name: "busy");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("idle"), x => x.Count == 1);
        using var busyLookups = new CancellationTokenSource();
        var busy = KeepLookingUpAsync(discovery, Registrar.Name("busy"), busyLookups.Token);
        await DiscoveryEventually.UntilAsync(() => !cache.WatchedNames.Contains(Registrar.Name("idle")), "the idle name was evicted");

        // The eviction takes the name out of the cache, then out of the datacenter watch: wait for both, or a change that
        // arrives in between is read once more (a suspected cause of one failure in a full run; not reproduced alone).
        await DiscoveryEventually.UntilAsync(() => !cache.IsFedByDatacenterWatch(Registrar.Name("idle")), "the idle name left the datacenter watch");
        await DiscoveryEventually.UntilAsync(() => cache.DatacenterWatchIdle, "the datacenter watch read every name");

        agent.ClearRequests();
        await Registrar.SetStatusAsync("idle-1", "critical");
        await Registrar.SetStatusAsync("busy-1", "critical");

        // Both changes are in the checks table by now; the watched name's refresh proves the answer was compared.
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("busy"), x => x.Count == 0);
        await busyLookups.CancelAsync();
        await busy;
        Assert.Equal(0, agent.CountRequests("/v1/health/service/" + Registrar.Name("idle")));
        Assert.DoesNotContain(Registrar.Name("idle"), cache.WatchedNames);
    }

    [Fact]
    public async Task ServiceWithoutChecks_RegistrationsAndDeregistrationsShow()
    {
        var discovery = CreateDiscovery(ConsulWatchMode.Datacenter);
        await Registrar.RegisterAsync("bare-1", name: "bare", status: null);
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("bare"), x => x.Count == 1);

        // No check rows: only the catalog's services index moves, and the tags stay the same.
        await Registrar.RegisterAsync("bare-2", name: "bare", status: null);
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("bare"), x => x.Count == 2);

        await Registrar.DeregisterAsync("bare-1");
        var instances = await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("bare"), x => x.Count == 1);
        Assert.Equal(Registrar.Id("bare-2"), instances[0].Id);
    }

    [Fact]
    public async Task Auto_PastTheBudget_HandsOverKeepingCachedAnswers()
    {
        var agent = Consul.RequireTestAgent("counts requests");

        // MaxConnections 4 leaves one connection for a per-name blocking query.
        var discovery = CreateDiscovery(ConsulWatchMode.Auto, maxConnections: 4);
        await Registrar.RegisterAsync("a-1", name: "alpha");
        await Registrar.RegisterAsync("b-1", name: "beta");
        var alpha = await discovery.GetInstancesAsync(Registrar.Name("alpha"), TestContext.Current.CancellationToken);
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/service/" + Registrar.Name("alpha")) == 2, "alpha's blocking query was sent");

        await discovery.GetInstancesAsync(Registrar.Name("beta"), TestContext.Current.CancellationToken);
        Assert.True(discovery.TryGetCached(Registrar.Name("alpha"), out var cached));
        Assert.Equal(alpha[0], cached[0]);

        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/state/any") > 0, "the datacenter watch started");
        await Registrar.RegisterAsync("a-2", name: "alpha");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("alpha"), x => x.Count == 2);
        await Registrar.RegisterAsync("b-2", name: "beta");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("beta"), x => x.Count == 2);
    }

    [Fact]
    public async Task PerService_BeyondTheBudget_FallsBackToDatacenterInsteadOfQueueing()
    {
        var agent = Consul.RequireTestAgent("counts requests");
        var discovery = CreateDiscovery(ConsulWatchMode.PerService, maxConnections: 4);
        for (var i = 0; i < 3; i++)
        {
            await Registrar.RegisterAsync($"inst-{i}", name: $"svc{i}");
            await discovery.GetInstancesAsync(Registrar.Name($"svc{i}"), TestContext.Current.CancellationToken);
        }

        await Registrar.RegisterAsync("inst-2b", name: "svc2");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("svc2"), x => x.Count == 2);
        await Registrar.RegisterAsync("inst-0b", name: "svc0");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("svc0"), x => x.Count == 2);

        var blocking = agent.Requests
            .Where(r => r.Path.StartsWith("/v1/health/service/", StringComparison.Ordinal) && r.Query.Contains("index=", StringComparison.Ordinal))
            .Select(r => r.Path).Distinct();
        Assert.Equal("/v1/health/service/" + Registrar.Name("svc0"), Assert.Single(blocking));
    }

    [Fact]
    public async Task AgentRestartLosingState_NoHotLoopThenChangesShow()
    {
        var agent = Consul.RequireTestAgent("restarts the agent and counts requests");
        var discovery = CreateDiscovery(ConsulWatchMode.Datacenter, minimumQueryInterval: TimeSpan.FromMilliseconds(200));
        await Registrar.RegisterAsync("inst-1");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), x => x.Count == 1);

        await agent.RestartAsync(keepState: false, TestContext.Current.CancellationToken);
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), x => x.Count == 0 && !x.IsStale);
        await Registrar.RegisterAsync("inst-new");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), x => x.Count == 1);
        await DiscoveryEventually.UntilAsync(() => clock.Elapsed > TimeSpan.FromSeconds(1), "a second passed");

        // Each loop: a burst, then one query per 200 ms at most. A loop re-asking at once would send hundreds.
        var allowed = 2 * (TokenBucket.WatchBurst + (int)(clock.Elapsed / TimeSpan.FromMilliseconds(200)) + 1);
        var sent = agent.CountRequests("/v1/health/state/") + agent.CountRequests("/v1/catalog/services");
        Assert.True(sent <= allowed, $"{sent} datacenter queries in {clock.Elapsed.TotalMilliseconds} ms (at most {allowed})");
    }

    [Fact]
    public async Task DatacenterQueriesFailing_BackOffAndServeStale()
    {
        var agent = Consul.RequireTestAgent("injects failures and counts requests");
        var discovery = CreateDiscovery(ConsulWatchMode.Datacenter);
        await Registrar.RegisterAsync("inst-1");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), x => x.Count == 1);

        agent.FailNextRequests(1000, statusCode: 500, pathPrefix: "/v1/health/state/");
        agent.ClearRequests();
        var clock = Stopwatch.StartNew();
        await Registrar.RegisterAsync("inst-2"); // wakes the blocking query, which now fails
        await DiscoveryEventually.UntilAsync(() => agent.CountRequests("/v1/health/state/") >= 6, "six queries were sent");

        // Backoff 50 ms doubling to 400 ms, at least half of each step (as per-name watches).
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(575), $"6 queries in {clock.Elapsed.TotalMilliseconds} ms");
        await DiscoveryEventually.InstancesAsync(discovery, Registrar.Name("catalog"), x => x.IsStale);
    }

    private IConsulServiceDiscovery CreateDiscovery(ConsulWatchMode mode, int maxConnections = 8, TimeSpan? minimumQueryInterval = null, TimeSpan? idleTimeout = null)
    {
        return BuildDiscovery(o =>
        {
            if (idleTimeout is { } idle)
            {
                o.Discovery.IdleTimeout = idle;
            }

            o.Discovery.RetryDelay = TimeSpan.FromMilliseconds(50);
            o.Discovery.MaxRetryDelay = TimeSpan.FromMilliseconds(400);
            o.Discovery.WatchMode = mode;
            o.Discovery.MaxConnections = maxConnections;
            o.Discovery.MinimumQueryInterval = minimumQueryInterval ?? TimeSpan.FromSeconds(1);

            // These tests are about which names the datacenter watch refreshes: every answer is believed at once.
            o.Discovery.VoidGracePeriod = TimeSpan.Zero;
            o.Discovery.PanicThreshold = 0;
        });
    }

    /// <summary>Looks <paramref name="name"/> up every 50 ms so idle eviction leaves it alone.</summary>
    private static async Task KeepLookingUpAsync(IConsulServiceDiscovery discovery, string name, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await discovery.GetInstancesAsync(name, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Done.
        }
    }
}
