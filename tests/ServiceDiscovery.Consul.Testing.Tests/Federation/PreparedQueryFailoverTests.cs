// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;
using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Federation;

/// <summary>
/// Prepared-query failover across federated datacenters (prepared_query_endpoint.go <c>queryFailover</c>): dc1 at the
/// origin, dc3 20 ms away, dc2 50 ms away, so from dc1 the nearest other is dc3. Several datacenters are needed, so
/// these run against the test cluster only.
/// </summary>
public sealed class PreparedQueryFailoverTests : IAsyncLifetime
{
    private ConsulTestCluster _dc1 = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsulTestCluster Dc2 => _dc1.Datacenters[1];

    private ConsulTestCluster Dc3 => _dc1.Datacenters[2];

    public async ValueTask InitializeAsync() => _dc1 = await ConsulTestCluster.StartDatacentersAsync(
        [
            new() { Name = "dc1", Agents = 2 },
            new() { Name = "dc2", WanPosition = new Vector2(50, 0) },
            new() { Name = "dc3", WanPosition = new Vector2(20, 0) },
        ],
        cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _dc1.DisposeAsync();

    [Fact]
    public async Task LocalInstances_AnsweredLocally_WithoutFailover()
    {
        await RegisterWebAsync(_dc1.Agents[1], "web-dc1");
        await RegisterWebAsync(Dc3.Leader, "web-dc3");
        var id = await CreateQueryAsync(_dc1.Leader, """{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":2}}}""");

        var answer = await ExecuteAsync(_dc1.Agents[1], id);

        Assert.Equal(("dc1", 0, "web-dc1"), answer);
    }

    [Fact]
    public async Task NoLocalInstance_NearestFirst_ThenFartherWhenTheNearestHasNone()
    {
        await RegisterWebAsync(Dc2.Leader, "web-dc2");
        await RegisterWebAsync(Dc3.Leader, "web-dc3");
        var nearest = await CreateQueryAsync(_dc1.Leader, """{"Name":"n1","Service":{"Service":"web","Failover":{"NearestN":1}}}""");
        var two = await CreateQueryAsync(_dc1.Leader, """{"Name":"n2","Service":{"Service":"web","Failover":{"NearestN":2}}}""");

        Assert.Equal(("dc3", 1, "web-dc3"), await ExecuteAsync(_dc1.Agents[1], nearest));

        await PutAsync(Dc3.Leader, "/v1/agent/check/fail/service:web-dc3");
        Assert.Equal(("dc3", 1, ""), await ExecuteAsync(_dc1.Agents[1], nearest));
        Assert.Equal(("dc2", 2, "web-dc2"), await ExecuteAsync(_dc1.Agents[1], two));
    }

    [Fact]
    public async Task Datacenters_InOrder_SkippingUnknownOnesAndOnesAlreadyChosen()
    {
        await RegisterWebAsync(Dc2.Leader, "web-dc2");
        await RegisterWebAsync(Dc3.Leader, "web-dc3");
        var listed = await CreateQueryAsync(_dc1.Leader, """{"Name":"l","Service":{"Service":"web","Failover":{"Datacenters":["dc9","dc1","dc2","dc3"]}}}""");
        var both = await CreateQueryAsync(_dc1.Leader, """{"Name":"b","Service":{"Service":"web","Failover":{"NearestN":1,"Datacenters":["dc3","dc2"]}}}""");
        var targets = await CreateQueryAsync(_dc1.Leader, """{"Name":"t","Service":{"Service":"web","Failover":{"Targets":[{"Datacenter":"dc3"}]}}}""");

        Assert.Equal(("dc2", 1, "web-dc2"), await ExecuteAsync(_dc1.Leader, listed));
        Assert.Equal(("dc3", 1, "web-dc3"), await ExecuteAsync(_dc1.Leader, both));
        Assert.Equal(("dc3", 1, "web-dc3"), await ExecuteAsync(_dc1.Leader, targets));

        await PutAsync(Dc3.Leader, "/v1/agent/check/fail/service:web-dc3");
        Assert.Equal(("dc2", 2, "web-dc2"), await ExecuteAsync(_dc1.Leader, both));
    }

    [Fact]
    public async Task UnreachableDatacenter_CountedAndSkipped_NothingAnywhere_EmptyFromTheLastTried()
    {
        await RegisterWebAsync(Dc3.Leader, "web-dc3");
        var id = await CreateQueryAsync(_dc1.Leader, """{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":5}}}""");
        Dc3.WanReachable = false;

        Assert.Equal(("dc2", 2, ""), await ExecuteAsync(_dc1.Leader, id));

        await RegisterWebAsync(Dc2.Leader, "web-dc2");
        Assert.Equal(("dc2", 2, "web-dc2"), await ExecuteAsync(_dc1.Leader, id));
    }

    [Fact]
    public async Task ExecuteWithDc_RunsInThatDatacenter_AndFailsOverFromThere()
    {
        await RegisterWebAsync(_dc1.Agents[1], "web-dc1");
        await RegisterWebAsync(Dc3.Leader, "web-dc3");
        var id = await CreateQueryAsync(_dc1.Leader, """{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":1}}}""", "?dc=dc2");

        var (status, _, _) = await GetAsync(_dc1.Leader, $"/v1/query/{id}/execute");
        Assert.Equal(404, status);
        Assert.Equal(("dc3", 1, "web-dc3"), await ExecuteAsync(_dc1.Leader, id, "?dc=dc2"));
    }

    [Fact]
    public async Task Limit_AppliesToTheFailoverAnswer()
    {
        await RegisterWebAsync(Dc3.Leader, "web-a");
        await RegisterWebAsync(Dc3.Leader, "web-b", 8081);
        var id = await CreateQueryAsync(_dc1.Leader, """{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":1}}}""");

        var (dc, failovers, ids) = await ExecuteAsync(_dc1.Leader, id, "?limit=1");

        Assert.Equal(("dc3", 1), (dc, failovers));
        Assert.True(ids is "web-a" or "web-b", ids);
    }

    [Fact]
    public async Task TargetsWithNearestN_Refused()
    {
        var refused = await SendAsync(_dc1.Leader, HttpMethod.Post, "/v1/query", """{"Name":"targets","Service":{"Service":"web","Failover":{"NearestN":1,"Targets":[{"Datacenter":"dc2"}]}}}""");

        Assert.Equal((500, "Invalid prepared query: Targets cannot be populated with NearestN or Datacenters"), refused);
    }

    private static async Task<(string Datacenter, int Failovers, string Ids)> ExecuteAsync(ConsulTestAgent agent, string id, string query = "")
    {
        var (status, json, _) = await GetAsync(agent, $"/v1/query/{id}/execute{query}");
        Assert.Equal(200, status);
        return ((string)json!["Datacenter"]!, (int)json["Failovers"]!,
            string.Join(",", json["Nodes"]!.AsArray().Select(n => (string)n!["Service"]!["ID"]!).Order(StringComparer.Ordinal)));
    }
}
