// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Cluster;

/// <summary>
/// A <see cref="ConsulTestCluster"/> behaves as a datacenter of several agents: one catalog seen from every agent,
/// blocking queries waking across agents, a dead agent's node turning critical and coming back. These need the
/// cluster itself, so they never run against a real Consul.
/// </summary>
public sealed class ConsulTestClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ConsulTestCluster _cluster = null!;

    private ConsulTestAgent A => _cluster.Agents[1];

    private ConsulTestAgent B => _cluster.Agents[2];

    public async ValueTask InitializeAsync() => _cluster = await ConsulTestCluster.StartAsync(3, cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public void Agents_EachItsOwnNodeAndListener()
    {
        Assert.Equal(["node-1", "node-2", "node-3"], _cluster.Agents.Select(a => a.NodeName));
        Assert.Equal(3, _cluster.Agents.Select(a => a.Address).Distinct().Count());
        Assert.Same(_cluster.Agents[0], _cluster.Leader);
    }

    [Fact]
    public async Task RegisteredOnA_DiscoveredOnB()
    {
        await RegisterWebAsync(A, "web-a");

        var entries = await WebHealthAsync(B, "?passing");

        Assert.Equal([("node-2", "web-a", "passing", "Agent alive and reachable")], entries);
        var (_, json, _) = await GetAsync(B, "/v1/catalog/service/web");
        Assert.Equal(A.Address.Host, (string)json!.AsArray().Single()!["Address"]!);
        Assert.Single(A.Services);
        Assert.Empty(B.Services);
        var (status, _, _) = await GetAsync(B, "/v1/agent/service/web-a");
        Assert.Equal(404, status);
    }

    [Fact]
    public async Task BlockingQueryOnB_WakesOnRegistrationThroughA()
    {
        var (_, _, index) = await GetAsync(B, "/v1/health/service/web");
        var blocked = GetAsync(B, $"/v1/health/service/web?index={index}&wait=30s");
        await A.WaitUntilAsync(_ => A.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);

        await RegisterWebAsync(A, "web-a");

        var (_, json, woken) = await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(woken > index);
        Assert.Equal("node-2", (string)json!.AsArray().Single()!["Node"]!["Node"]!);
    }

    [Fact]
    public async Task CatalogNodes_EveryAgentListsEveryNode()
    {
        foreach (var agent in _cluster.Agents)
        {
            var (status, json, index) = await GetAsync(agent, "/v1/catalog/nodes");
            Assert.Equal(200, status);
            Assert.True(index > 0);
            var nodes = json!.AsArray().Select(n => ((string)n!["Node"]!, (string)n["Address"]!)).ToList();
            Assert.Equal(_cluster.Agents.Select(a => (a.NodeName, a.Address.Host)), nodes);
        }

        var (_, filtered, _) = await GetAsync(B, "/v1/catalog/nodes?filter=" + Uri.EscapeDataString("Node == \"node-3\""));
        Assert.Equal("node-3", (string)filtered!.AsArray().Single()!["Node"]!);
    }

    [Fact]
    public async Task StatusLeaderAndPeers_TheSameOnEveryAgent()
    {
        foreach (var agent in _cluster.Agents)
        {
            Assert.Equal("127.0.0.1:8300", (string)(await GetAsync(agent, "/v1/status/leader")).Json!);
            Assert.Equal(["127.0.0.1:8300"], (await GetAsync(agent, "/v1/status/peers")).Json!.AsArray().Select(p => (string)p!));
        }

        var (_, consul, _) = await GetAsync(B, "/v1/catalog/service/consul");
        Assert.Equal("node-1", (string)consul!.AsArray().Single()!["Node"]!);
    }

    [Fact]
    public async Task KvWrittenOnA_ReadOnB()
    {
        await PutAsync(A, "/v1/kv/config/x", "42");
        var (status, json, _) = await GetAsync(B, "/v1/kv/config/x");
        Assert.Equal(200, status);
        Assert.Equal("NDI=", (string)json!.AsArray().Single()!["Value"]!);
    }

    [Fact]
    public async Task StopAgent_NodeAndServicesCritical_StartAgain_PassingAndResynced()
    {
        await RegisterWebAsync(A, "web-a");
        await RegisterWebAsync(B, "web-b", port: 8081);
        var (_, _, index) = await GetAsync(B, "/v1/health/service/web");
        var blocked = GetAsync(B, $"/v1/health/service/web?index={index}&wait=30s");
        await B.WaitUntilAsync(_ => B.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);

        await _cluster.StopAgentAsync(1, TestContext.Current.CancellationToken);

        Assert.True((await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken)).Index > index);
        await Assert.ThrowsAsync<HttpRequestException>(() => GetAsync(A, "/v1/agent/services"));
        var entries = await WebHealthAsync(B);
        Assert.Contains(("node-2", "web-a", "critical", "Agent not live or unreachable"), entries);
        Assert.Contains(("node-3", "web-b", "passing", "Agent alive and reachable"), entries);
        Assert.Equal(["web-b"], (await WebHealthAsync(B, "?passing")).Select(e => e.Id));
        Assert.Equal(3, (await GetAsync(B, "/v1/catalog/nodes")).Json!.AsArray().Count);

        await _cluster.StartAgentAsync(1, TestContext.Current.CancellationToken);

        Assert.Equal(["web-a", "web-b"], (await WebHealthAsync(B, "?passing")).Select(e => e.Id).Order());
        Assert.Equal(200, (await GetAsync(A, "/v1/agent/service/web-a")).Status);
    }

    [Fact]
    public async Task DisposedAgent_NodeCritical()
    {
        await RegisterWebAsync(A, "web-a");

        await A.DisposeAsync();

        Assert.Equal([("node-2", "web-a", "critical", "Agent not live or unreachable")], await WebHealthAsync(B));
    }

    [Fact]
    public async Task ForceLeave_RemovesTheFailedNodeAndItsServices()
    {
        await RegisterWebAsync(A, "web-a");
        Assert.Throws<InvalidOperationException>(() => _cluster.ForceLeave(1));
        await _cluster.StopAgentAsync(1, TestContext.Current.CancellationToken);

        _cluster.ForceLeave(1);

        Assert.Empty(await WebHealthAsync(B));
        Assert.Equal(["node-1", "node-3"], (await GetAsync(B, "/v1/catalog/nodes")).Json!.AsArray().Select(n => (string)n!["Node"]!));

        // Back again: the node rejoins and anti-entropy registers what the agent still holds.
        await _cluster.StartAgentAsync(1, TestContext.Current.CancellationToken);
        Assert.Equal([("node-2", "web-a", "passing", "Agent alive and reachable")], await WebHealthAsync(B));
    }

    [Fact]
    public async Task TheServer_CannotBeStopped()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.StopAgentAsync(0, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _cluster.StopAgentAsync(3, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task RestartWithoutState_LosesOnlyThatAgentsServices_IndexKeepsGoing()
    {
        await RegisterWebAsync(A, "web-a");
        await RegisterWebAsync(B, "web-b");
        var before = B.Index;

        await A.RestartAsync(keepState: false, TestContext.Current.CancellationToken);

        Assert.Empty(A.Services);
        Assert.Equal(["web-b"], (await WebHealthAsync(B)).Select(e => e.Id));
        Assert.True(A.Index > before);
        Assert.Equal("Agent alive and reachable", (await WebHealthAsync(B)).Single().SerfOutput);
    }

    [Fact]
    public async Task FaultHooks_PerAgent()
    {
        A.FailNextRequests(1, 503);
        Assert.Equal(503, (await GetAsync(A, "/v1/catalog/nodes")).Status);
        Assert.Equal(200, (await GetAsync(B, "/v1/catalog/nodes")).Status);
        Assert.Equal(1, A.CountRequests("/v1/catalog/nodes"));
        Assert.Equal(1, B.CountRequests("/v1/catalog/nodes"));
    }

    [Fact]
    public async Task StartAsync_RejectsBadCounts()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsulTestCluster.StartAsync(0, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ConsulTestCluster.StartAsync(ConsulTestCluster.MaxAgents + 1, cancellationToken: TestContext.Current.CancellationToken));
    }
}
