// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Cluster;

/// <summary>
/// Prepared-query ordering (prepared_query_endpoint.go <c>Execute</c>): results are shuffled, then the source node
/// (<c>?near=</c> over the query's <c>Near</c>; <c>_agent</c>, <c>_ip</c>) comes first. Needs several nodes with agents.
/// </summary>
public sealed class PreparedQueryNearTests : IAsyncLifetime
{
    private const int Runs = 20;
    private ConsulTestCluster _cluster = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _cluster = await ConsulTestCluster.StartAsync(3, cancellationToken: Ct);
        for (var i = 0; i < 3; i++)
        {
            await RegisterWebAsync(_cluster.Agents[i], $"web-{i + 1}");
        }
    }

    public async ValueTask DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task WithoutNear_TheOrderIsShuffled()
    {
        var id = await CreateAsync("""{"Name":"web","Service":{"Service":"web"}}""");

        var firsts = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Runs; i++)
        {
            firsts.Add((await NodesAsync(_cluster.Agents[1], $"/v1/query/{id}/execute"))[0]);
        }

        // Three instances shuffled twenty times: one node always first has a chance of 3 in 3^20.
        Assert.True(firsts.Count > 1, $"always {string.Join(",", firsts)} first");
    }

    [Fact]
    public async Task NearAgent_TheAgentsNodeFirst_QueryParameterOverTheQuerysNear()
    {
        var id = await CreateAsync("""{"Name":"web","Service":{"Service":"web","Near":"node-3"}}""");

        for (var i = 0; i < Runs; i++)
        {
            Assert.Equal("node-3", (await NodesAsync(_cluster.Agents[1], $"/v1/query/{id}/execute"))[0]);
            Assert.Equal("node-2", (await NodesAsync(_cluster.Agents[1], $"/v1/query/{id}/execute?near=_agent"))[0]);
            Assert.Equal("node-1", (await NodesAsync(_cluster.Agents[1], $"/v1/query/{id}/execute?near=NODE-1"))[0]);
        }
    }

    [Fact]
    public async Task NearIp_TheNodeAtTheCallersAddressFirst()
    {
        var id = await CreateAsync("""{"Name":"web","Service":{"Service":"web","Near":"_ip"}}""");
        var third = _cluster.Agents[2].Address.Host;
        Assert.SkipWhen(third == _cluster.Agents[1].Address.Host, "the agents share 127.0.0.1 (no loopback aliases): no node has its own address");

        for (var i = 0; i < Runs; i++)
        {
            var nodes = await NodesAsync(_cluster.Agents[1], $"/v1/query/{id}/execute", forwardedFor: third);
            Assert.Equal(_cluster.Agents.First(a => a.Address.Host == third).NodeName, nodes[0]);
        }
    }

    private Task<string> CreateAsync(string json) => CreateQueryAsync(_cluster.Leader, json);

    private static async Task<List<string>> NodesAsync(ConsulTestAgent agent, string path, string? forwardedFor = null)
    {
        var (_, text) = await SendAsync(agent, HttpMethod.Get, path, forwardedFor: forwardedFor);
        return [.. JsonNode.Parse(text)!["Nodes"]!.AsArray().Select(n => (string)n!["Node"]!["Node"]!)];
    }
}
