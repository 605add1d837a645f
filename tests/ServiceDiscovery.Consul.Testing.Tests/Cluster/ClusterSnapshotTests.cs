// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Cluster;

/// <summary>
/// A snapshot restore in a <see cref="ConsulTestCluster"/>: the leader reconciles every member's node with the pool
/// (a member that failed after the snapshot is critical again), and each running client agent's anti-entropy puts its
/// own services back and removes the archive's that it no longer has; a stopped agent syncs when it comes back.
/// </summary>
public sealed class ClusterSnapshotTests : IAsyncLifetime
{
    private ConsulTestCluster _cluster = null!;

    public async ValueTask InitializeAsync() => _cluster = await ConsulTestCluster.StartAsync(3, cancellationToken: TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Restore_ReconcilesMembers_AndEachRunningAgentSyncsWhatItOwns()
    {
        var (server, client, other) = (_cluster.Agents[0], _cluster.Agents[1], _cluster.Agents[2]);
        await RegisterWebAsync(client, "web-a");
        await RegisterWebAsync(other, "web-c");
        using var archive = new ByteArrayContent(await SaveAsync(server));

        // After the snapshot: the client swaps web-a for web-b, and node-3's agent stops (its member fails).
        await PutAsync(client, "/v1/agent/service/deregister/web-a");
        await RegisterWebAsync(client, "web-b");
        await _cluster.StopAgentAsync(2, TestContext.Current.CancellationToken);

        using var http = new HttpClient();
        using (var response = await http.PutAsync(new Uri(server.Address, "/v1/snapshot"), archive, TestContext.Current.CancellationToken))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        Assert.Equal(
            [("node-2", "web-b", "passing", "Agent alive and reachable"), ("node-3", "web-c", "critical", "Agent not live or unreachable")],
            (await WebHealthAsync(server)).OrderBy(e => e.Node));

        // The stopped agent's own state is written back when it returns.
        await _cluster.StartAgentAsync(2, TestContext.Current.CancellationToken);
        Assert.Equal(
            [("node-2", "web-b", "passing", "Agent alive and reachable"), ("node-3", "web-c", "passing", "Agent alive and reachable")],
            (await WebHealthAsync(server)).OrderBy(e => e.Node));
    }

    [Fact]
    public async Task Restore_OnALoneAgent_ReapsTheArchivesAgentNodesThatAreNotMembers()
    {
        var server = _cluster.Agents[0];
        await RegisterWebAsync(_cluster.Agents[1], "web-a");
        await PutAsync(server, "/v1/catalog/register", """{"Node":"ext","Address":"10.0.0.9","Service":{"Service":"db","Port":5432}}""");
        using var archive = new ByteArrayContent(await SaveAsync(server));

        // A lone agent named as the cluster's server: node-2 and node-3 are agents' nodes (serfHealth) it has no member for.
        await using var lone = await ConsulTestAgent.StartAsync(new ConsulTestAgentOptions { NodeName = "node-1" }, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        using (var response = await http.PutAsync(new Uri(lone.Address, "/v1/snapshot"), archive, TestContext.Current.CancellationToken))
        {
            Assert.Equal(200, (int)response.StatusCode);
        }

        var (_, nodes, _) = await GetAsync(lone, "/v1/catalog/nodes");
        Assert.Equal(["ext", "node-1"], nodes!.AsArray().Select(n => (string)n!["Node"]!));
        Assert.Empty((await WebHealthAsync(lone)));
        var (_, db, _) = await GetAsync(lone, "/v1/catalog/service/db");
        Assert.Equal("ext", (string)db!.AsArray().Single()!["Node"]!);
    }

    private static async Task<byte[]> SaveAsync(ConsulTestAgent agent)
    {
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(new Uri(agent.Address, "/v1/snapshot"), TestContext.Current.CancellationToken);
    }
}
