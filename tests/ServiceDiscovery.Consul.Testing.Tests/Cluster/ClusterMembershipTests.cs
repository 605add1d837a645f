// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Cluster;

/// <summary>
/// How the agents of a <see cref="ConsulTestCluster"/> describe themselves and the pool: agent 0 as the server,
/// the others as Consul client agents (<c>role: node</c>, client <c>Stats</c>), and <c>/v1/agent/members</c> on
/// every agent listing every member with serf's status (alive 1, left 3, failed 4).
/// </summary>
public sealed class ClusterMembershipTests : IAsyncLifetime
{
    private ConsulTestCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await ConsulTestCluster.StartAsync(3, cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Self_ServerIsServer_ClientsAreClientAgents()
    {
        var (_, server, _) = await GetAsync(_cluster.Agents[0], "/v1/agent/self");
        Assert.True((bool)server!["Config"]!["Server"]!);
        Assert.Equal("consul", (string)server["Member"]!["Tags"]!["role"]!);
        Assert.Equal("true", (string)server["Stats"]!["consul"]!["server"]!);
        Assert.NotNull(server["Stats"]!["raft"]);

        var (_, client, _) = await GetAsync(_cluster.Agents[1], "/v1/agent/self");
        Assert.False((bool)client!["Config"]!["Server"]!);
        Assert.False((bool)client["DebugConfig"]!["ServerMode"]!);
        Assert.False((bool)client["DebugConfig"]!["Bootstrap"]!);
        var tags = client["Member"]!["Tags"]!.AsObject();
        Assert.Equal("node", (string)tags["role"]!);
        Assert.Equal("node-2", (string)client["Member"]!["Name"]!);
        Assert.False(tags.ContainsKey("bootstrap"));
        Assert.False(tags.ContainsKey("port"));
        var consul = client["Stats"]!["consul"]!.AsObject();
        Assert.Equal(["acl", "known_servers", "server"], consul.Select(p => p.Key));
        Assert.Equal("false", (string)consul["server"]!);
        Assert.Equal("1", (string)consul["known_servers"]!);
        var stats = client["Stats"]!.AsObject();
        Assert.False(stats.ContainsKey("raft"));
        Assert.False(stats.ContainsKey("serf_wan"));
        Assert.Equal("3", (string)stats["serf_lan"]!["members"]!);
    }

    [Fact]
    public async Task Members_EveryAgentListsEveryMemberWithItsRole()
    {
        foreach (var agent in _cluster.Agents)
        {
            var members = await MembersAsync(agent);
            Assert.Equal([("node-1", "consul", 1), ("node-2", "node", 1), ("node-3", "node", 1)], members);
        }
    }

    [Fact]
    public async Task Members_StoppedIsFailed_ForceLeftIsLeft_RestartedIsAlive()
    {
        await _cluster.StopAgentAsync(2, TestContext.Current.CancellationToken);
        Assert.Contains(("node-3", "node", 4), await MembersAsync(_cluster.Agents[1]));
        var (_, self, _) = await GetAsync(_cluster.Agents[1], "/v1/agent/self");
        Assert.Equal("1", (string)self!["Stats"]!["serf_lan"]!["failed"]!);

        _cluster.ForceLeave(2);
        Assert.Contains(("node-3", "node", 3), await MembersAsync(_cluster.Agents[0]));

        await _cluster.StartAgentAsync(2, TestContext.Current.CancellationToken);
        Assert.Contains(("node-3", "node", 1), await MembersAsync(_cluster.Agents[2]));
    }

    [Fact]
    public async Task WanMembers_ServerListsServers_ClientHasNone()
    {
        var (_, server, _) = await GetAsync(_cluster.Agents[0], "/v1/agent/members?wan=1");
        Assert.Equal(["node-1.dc1"], server!.AsArray().Select(m => (string)m!["Name"]!));
        var (status, client, _) = await GetAsync(_cluster.Agents[1], "/v1/agent/members?wan=1");
        Assert.Equal(200, status);
        Assert.Null(client);
    }

    private static async Task<List<(string Name, string Role, int Status)>> MembersAsync(ConsulTestAgent agent)
    {
        var (_, json, _) = await GetAsync(agent, "/v1/agent/members");
        return [.. json!.AsArray().Select(m => ((string)m!["Name"]!, (string)m["Tags"]!["role"]!, (int)m["Status"]!))];
    }
}
