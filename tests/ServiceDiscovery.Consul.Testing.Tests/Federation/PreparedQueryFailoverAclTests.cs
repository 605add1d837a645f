// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Tests.Federation;

/// <summary>
/// Prepared-query failover under ACLs (prepared_query_endpoint.go <c>ExecuteRemote</c>): the remote datacenter filters
/// its instances with the query's stored token, else the caller's, as the local answer is filtered; a token the remote
/// datacenter does not know fails that datacenter like an unreachable one. dc1 has no <c>web</c> instance, dc2 has one
/// on each of its two nodes. Several datacenters are needed, so these run against the test cluster only.
/// </summary>
public sealed class PreparedQueryFailoverAclTests : IAsyncLifetime
{
    private const string Root = "root-secret";

    // In every datacenter (configured tokens are seeded into each), like a global token replicated from the primary.
    private const string NodeOneOnly = "node-one-reader";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private ConsulTestCluster _dc1 = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private ConsulTestCluster Dc2 => _dc1.Datacenters[1];

    public async ValueTask InitializeAsync()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.DefaultAllow = false;
        options.Acl.ManagementToken = Root;
        options.Acl.Tokens.Add(new ConsulTestAclToken
        {
            SecretId = NodeOneOnly,
            PolicyRules = "node \"node-1\" { policy = \"read\" }\nservice \"web\" { policy = \"read\" }\nquery_prefix \"\" { policy = \"read\" }\n",
        });
        _dc1 = await ConsulTestCluster.StartDatacentersAsync(
            [new() { Name = "dc1" }, new() { Name = "dc2", Agents = 2, WanPosition = new Vector2(20, 0) }], options, Ct);
        foreach (var agent in Dc2.Agents)
        {
            var registered = await SendAsync(agent, HttpMethod.Put, "/v1/agent/service/register", Root,
                $$$"""{"ID":"web-{{{agent.NodeName}}}","Name":"web","Port":8080,"Check":{"TTL":"10m","Status":"passing"}}""");
            Assert.Equal(200, registered.Status);
        }
    }

    public async ValueTask DisposeAsync() => await _dc1.DisposeAsync();

    [Fact]
    public async Task FailoverAnswer_IsFilteredByTheCallersToken()
    {
        var id = await CreateQueryAsync("""{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":1}}}""");

        Assert.Equal(("dc2", 1, "web-node-1", true), await ExecuteAsync(id, NodeOneOnly));
        Assert.Equal(("dc2", 1, "web-node-1,web-node-2", false), await ExecuteAsync(id, Root));
    }

    [Fact]
    public async Task FailoverAnswer_IsFilteredByTheQuerysStoredToken()
    {
        var id = await CreateQueryAsync($$$$"""{"Name":"web","Token":"{{{{NodeOneOnly}}}}","Service":{"Service":"web","Failover":{"Datacenters":["dc2"]}}}""");

        Assert.Equal(("dc2", 1, "web-node-1", true), await ExecuteAsync(id, Root));
    }

    [Fact]
    public async Task TokenUnknownToTheRemoteDatacenter_FailsItOver_LikeAnUnreachableOne()
    {
        // Created through dc1's API only: dc2's tables do not have it (a token local to dc1).
        var created = await SendAsync(_dc1.Leader, HttpMethod.Put, "/v1/acl/token", Root,
            """{"Local":true,"Policies":[{"Name":"global-management"}]}""");
        Assert.Equal(200, created.Status);
        var local = (string)JsonNode.Parse(created.Text)!["SecretID"]!;

        // And one token in dc2 alone, so both datacenters' ACL tables have seen as many writes: a resolution cached in
        // one datacenter must not answer for the other.
        Assert.Equal(200, (await SendAsync(Dc2.Leader, HttpMethod.Put, "/v1/acl/token", Root, """{"Local":true}""")).Status);
        var id = await CreateQueryAsync("""{"Name":"web","Service":{"Service":"web","Failover":{"NearestN":1}}}""");

        Assert.Equal(("dc1", 1, string.Empty, false), await ExecuteAsync(id, local));
    }

    private static async Task<(int Status, string Text, bool Filtered)> SendAsync(ConsulTestAgent agent, HttpMethod method, string path, string token, string? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(agent.Address, path));
        request.Headers.Add("X-Consul-Token", token);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }

        using var response = await Http.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct), response.Headers.Contains("X-Consul-Results-Filtered-By-ACLs"));
    }

    private async Task<string> CreateQueryAsync(string json)
    {
        var (status, text, _) = await SendAsync(_dc1.Leader, HttpMethod.Post, "/v1/query", Root, json);
        Assert.True(status == 200, $"POST /v1/query: {status} {text}");
        return (string)JsonNode.Parse(text)!["ID"]!;
    }

    private async Task<(string Datacenter, int Failovers, string Ids, bool Filtered)> ExecuteAsync(string id, string token)
    {
        var (status, text, filtered) = await SendAsync(_dc1.Leader, HttpMethod.Get, $"/v1/query/{id}/execute", token);
        Assert.True(status == 200, $"execute: {status} {text}");
        var json = JsonNode.Parse(text)!;
        return ((string)json["Datacenter"]!, (int)json["Failovers"]!,
            string.Join(",", json["Nodes"]!.AsArray().Select(n => (string)n!["Service"]!["ID"]!).Order(StringComparer.Ordinal)), filtered);
    }
}
