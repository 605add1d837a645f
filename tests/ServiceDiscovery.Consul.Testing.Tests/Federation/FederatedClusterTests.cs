// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;
using Microsoft.Extensions.Options;
using static ServiceDiscovery.Consul.Testing.Tests.Cluster.ClusterClient;

namespace ServiceDiscovery.Consul.Testing.Tests.Federation;

/// <summary>
/// Datacenters federated over the simulated WAN: each its own catalog and index, <c>?dc=</c> answered by the named
/// datacenter, the datacenter list by distance, Consul's forwarding errors. They need several datacenters, which a
/// real Consul reached through <c>CONSUL_HTTP_ADDR</c> does not have, so they run against the test cluster only.
/// </summary>
public sealed class FederatedClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ConsulTestCluster _dc1 = null!;

    private ConsulTestCluster Dc2 => _dc1.Datacenters[1];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _dc1 = await ConsulTestCluster.StartDatacentersAsync(
        [new() { Name = "dc1", Agents = 2 }, new() { Name = "dc2", Agents = 2, WanPosition = new Vector2(40, 0) }], cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _dc1.DisposeAsync();

    [Fact]
    public void Datacenters_EachWithItsOwnAgentsAndState()
    {
        Assert.Equal(["dc1", "dc2"], _dc1.Datacenters.Select(d => d.Datacenter));
        Assert.Same(_dc1.Datacenters, Dc2.Datacenters);
        Assert.Equal(["node-1", "node-2"], Dc2.Agents.Select(a => a.NodeName));
        Assert.NotSame(_dc1.Leader.Store, Dc2.Leader.Store);
        Assert.Equal(4, _dc1.Agents.Concat(Dc2.Agents).Select(a => a.Address).Distinct().Count());
    }

    [Fact]
    public async Task HealthWithDc_AnsweredByTheNamedDatacenter_WithItsIndex()
    {
        await RegisterWebAsync(Dc2.Agents[1], "web-dc2");
        await PutAsync(_dc1.Agents[1], "/v1/kv/moves-dc1-index", "x");
        await PutAsync(_dc1.Agents[1], "/v1/kv/moves-dc1-index-again", "x");

        var (status, json, index) = await GetAsync(_dc1.Agents[1], "/v1/health/service/web?dc=dc2");
        var (_, direct, directIndex) = await GetAsync(Dc2.Agents[0], "/v1/health/service/web");
        var (_, local, _) = await GetAsync(_dc1.Agents[1], "/v1/health/service/web");

        Assert.Equal(200, status);
        var entry = json!.AsArray().Single()!;
        Assert.Equal("web-dc2", (string)entry["Service"]!["ID"]!);
        Assert.Equal("dc2", (string)entry["Node"]!["Datacenter"]!);
        Assert.Equal(Dc2.Agents[1].Address.Host, (string)entry["Node"]!["Address"]!);
        Assert.Equal(directIndex, index);
        Assert.NotEqual(_dc1.Leader.Index, index);
        Assert.Equal(direct!.ToJsonString(), json.ToJsonString());
        Assert.Empty(local!.AsArray());
    }

    [Fact]
    public async Task CatalogWithDc_ListsTheNamedDatacentersServicesAndNodes()
    {
        await RegisterWebAsync(Dc2.Agents[1], "web-dc2");

        var (_, services, servicesIndex) = await GetAsync(_dc1.Leader, "/v1/catalog/services?dc=dc2");
        var (_, instances, _) = await GetAsync(_dc1.Leader, "/v1/catalog/service/web?dc=dc2");
        var (_, nodes, _) = await GetAsync(_dc1.Leader, "/v1/catalog/nodes?dc=dc2");
        var (_, ownServices, _) = await GetAsync(_dc1.Leader, "/v1/catalog/services");

        Assert.True(services!.AsObject().ContainsKey("web"));
        Assert.False(ownServices!.AsObject().ContainsKey("web"));
        Assert.Equal((await GetAsync(Dc2.Leader, "/v1/catalog/services")).Index, servicesIndex);
        Assert.Equal("dc2", (string)instances!.AsArray().Single()!["Datacenter"]!);
        Assert.Equal(Dc2.Agents.Select(a => a.Address.Host), nodes!.AsArray().Select(n => (string)n!["Address"]!));
    }

    [Fact]
    public async Task GatewayServicesAndIngressWithDc_AnsweredFromTheNamedDatacentersEntries()
    {
        await RegisterWebAsync(Dc2.Agents[1], "web-dc2");
        await PutAsync(Dc2.Agents[1], "/v1/agent/service/register", """{"Name":"edge","Kind":"ingress-gateway","Port":21000}""");
        await PutAsync(Dc2.Agents[0], "/v1/config", """{"Kind":"ingress-gateway","Name":"edge","Listeners":[{"Port":9090,"Services":[{"Name":"web"}]}]}""");

        var (status, rows, index) = await GetAsync(_dc1.Agents[1], "/v1/catalog/gateway-services/edge?dc=dc2");
        var (_, local, _) = await GetAsync(_dc1.Agents[1], "/v1/catalog/gateway-services/edge");
        var (_, ingress, _) = await GetAsync(_dc1.Agents[1], "/v1/health/ingress/web?dc=dc2");

        Assert.Equal(200, status);
        Assert.Equal("web", (string)rows!.AsArray().Single()!["Service"]!["Name"]!);
        Assert.Equal((await GetAsync(Dc2.Leader, "/v1/catalog/gateway-services/edge")).Index, index);
        Assert.Empty(local!.AsArray());
        Assert.Equal("dc2", (string)ingress!.AsArray().Single()!["Node"]!["Datacenter"]!);
    }

    [Fact]
    public async Task BlockingQueryWithDc_WakesOnAChangeInTheNamedDatacenter()
    {
        var (_, _, index) = await GetAsync(_dc1.Agents[1], "/v1/health/service/web?dc=dc2");
        var blocked = GetAsync(_dc1.Agents[1], $"/v1/health/service/web?dc=dc2&index={index}&wait=30s");
        await Dc2.Leader.WaitUntilAsync(a => a.Store.BlockedQueries == 1, Deadline, Ct);

        await RegisterWebAsync(Dc2.Agents[1], "web-dc2");

        var (_, json, woken) = await blocked.WaitAsync(Deadline, Ct);
        Assert.True(woken > index);
        Assert.Equal("web-dc2", (string)json!.AsArray().Single()!["Service"]!["ID"]!);
        Assert.Equal(0, _dc1.Leader.Store.BlockedQueries);
    }

    [Fact]
    public async Task KvSessionsAndTxnWithDc_ReadAndWrittenInTheNamedDatacenter()
    {
        await PutAsync(Dc2.Agents[1], "/v1/kv/app/color", "blue");
        await PutAsync(_dc1.Agents[1], "/v1/kv/app/size?dc=dc2", "xl");
        var (created, session) = await SendAsync(_dc1.Agents[1], HttpMethod.Put, "/v1/session/create?dc=dc2", """{"Node":"node-2","Name":"remote"}""");
        var (txn, txnText) = await SendAsync(_dc1.Leader, HttpMethod.Put, "/v1/txn?dc=dc2", """[{"KV":{"Verb":"get","Key":"app/color"}}]""");

        var (status, color, index) = await GetAsync(_dc1.Leader, "/v1/kv/app/color?dc=dc2");
        Assert.Equal(200, status);
        Assert.Equal("blue", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String((string)color!.AsArray().Single()!["Value"]!)));
        Assert.Equal((await GetAsync(Dc2.Leader, "/v1/kv/app/color")).Index, index);
        Assert.Equal(404, (await GetAsync(_dc1.Leader, "/v1/kv/app/color")).Status);
        Assert.Equal(["app/color", "app/size"], Dc2.Leader.KeyValues.Select(e => e.Key));
        Assert.Empty(_dc1.Leader.KeyValues);

        Assert.Equal(200, created);
        var id = (string)System.Text.Json.Nodes.JsonNode.Parse(session)!["ID"]!;
        Assert.Contains(id, (await GetAsync(_dc1.Leader, "/v1/session/list?dc=dc2")).Json!.AsArray().Select(x => (string)x!["ID"]!));
        Assert.Empty((await GetAsync(_dc1.Leader, "/v1/session/list")).Json!.AsArray());
        Assert.Equal(200, txn);
        Assert.Contains("app/color", txnText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AgentSelf_ItsDatacenter_AndThePrimary()
    {
        var (_, self, _) = await GetAsync(Dc2.Agents[1], "/v1/agent/self");

        Assert.Equal(("dc2", "dc1"), ((string)self!["Config"]!["Datacenter"]!, (string)self["Config"]!["PrimaryDatacenter"]!));
        Assert.Equal("dc1", (string)self["DebugConfig"]!["PrimaryDatacenter"]!);
    }

    [Fact]
    public async Task UnknownDatacenter_NoPath_PrefixedByAClientAgent()
    {
        var server = await SendAsync(_dc1.Leader, HttpMethod.Get, "/v1/health/service/web?dc=dc9");
        var client = await SendAsync(_dc1.Agents[1], HttpMethod.Get, "/v1/catalog/services?dc=dc9");

        Assert.Equal((500, "No path to datacenter"), server);
        Assert.Equal((500, "rpc error making call: No path to datacenter"), client);
    }

    [Fact]
    public async Task UnreachableDatacenter_NoServerReachable_UntilItIsBack()
    {
        Dc2.WanReachable = false;

        var failed = await SendAsync(_dc1.Leader, HttpMethod.Get, "/v1/health/service/web?dc=dc2");
        var own = await SendAsync(Dc2.Agents[1], HttpMethod.Get, "/v1/health/service/web");
        var members = (await GetAsync(_dc1.Leader, "/v1/agent/members?wan=1")).Json!.AsArray();

        Assert.Equal((500, "Remote DC has no server currently reachable"), failed);
        Assert.Equal(200, own.Status);
        Assert.Equal(4, (int)members.Single(m => (string)m!["Name"]! == "node-1.dc2")!["Status"]!);

        Dc2.WanReachable = true;
        Assert.Equal(200, (await SendAsync(_dc1.Leader, HttpMethod.Get, "/v1/health/service/web?dc=dc2")).Status);
    }

    [Fact]
    public async Task CatalogDatacenters_NearestFirst_TheSameFromEveryAgentOfADatacenter()
    {
        Assert.Equal(["dc1", "dc2"], (await GetAsync(_dc1.Agents[1], "/v1/catalog/datacenters")).Json!.AsArray().Select(d => (string)d!));
        Assert.Equal(["dc2", "dc1"], (await GetAsync(Dc2.Agents[1], "/v1/catalog/datacenters")).Json!.AsArray().Select(d => (string)d!));
    }

    [Fact]
    public async Task CatalogDatacenters_OrderedByEstimatedRoundTrip_TiesByName()
    {
        await using var wan = await ConsulTestCluster.StartDatacentersAsync(
            [
                new() { Name = "dc1" },
                new() { Name = "dc2", WanPosition = new Vector2(50, 0) },
                new() { Name = "dc3", WanPosition = new Vector2(20, 0) },
                new() { Name = "dc4", WanPosition = new Vector2(20, 0) },
            ],
            cancellationToken: Ct);

        async Task<List<string>> FromAsync(int dc) =>
            [.. (await GetAsync(wan.Datacenters[dc].Leader, "/v1/catalog/datacenters")).Json!.AsArray().Select(d => (string)d!)];

        Assert.Equal(["dc1", "dc3", "dc4", "dc2"], await FromAsync(0));
        Assert.Equal(["dc2", "dc3", "dc4", "dc1"], await FromAsync(1));
        Assert.Equal(["dc4", "dc3", "dc1", "dc2"], await FromAsync(3));
    }

    [Fact]
    public async Task CoordinateDatacenters_EachServerAtItsWanPosition_NearestFirst()
    {
        var (_, areas, _) = await GetAsync(Dc2.Agents[1], "/v1/coordinate/datacenters");

        Assert.Equal(["dc2", "dc1"], areas!.AsArray().Select(a => (string)a!["Datacenter"]!));
        var coordinate = areas.AsArray()[0]!["Coordinates"]!.AsArray().Single()!;
        Assert.Equal("node-1", (string)coordinate["Node"]!);
        Assert.Equal(0.04, (double)coordinate["Coord"]!["Vec"]![0]!, 6);
        Assert.Equal(0.0, (double)areas.AsArray()[1]!["Coordinates"]![0]!["Coord"]!["Vec"]![0]!, 6);
    }

    [Fact]
    public async Task MembersWan_EveryDatacentersServer_OnTheServersOnly()
    {
        var (_, members, _) = await GetAsync(Dc2.Leader, "/v1/agent/members?wan=1");
        var (_, fromClient, _) = await GetAsync(Dc2.Agents[1], "/v1/agent/members?wan=1");

        Assert.Equal(["node-1.dc1", "node-1.dc2"], members!.AsArray().Select(m => (string)m!["Name"]!));
        Assert.Equal(["dc1", "dc2"], members.AsArray().Select(m => (string)m!["Tags"]!["dc"]!));
        Assert.All(members.AsArray(), m => Assert.Equal(1, (int)m!["Status"]!));
        Assert.Null(fromClient);
    }

    [Fact]
    public async Task CatalogRegister_NamingADatacenter_WritesThere_AnUnknownOneHasNoPath()
    {
        await PutAsync(_dc1.Agents[1], "/v1/catalog/register", """{"Datacenter":"dc2","Node":"ext","Address":"10.0.0.9","Service":{"Service":"db","Port":5432}}""");
        var unknown = await SendAsync(_dc1.Leader, HttpMethod.Put, "/v1/catalog/register", """{"Datacenter":"dc9","Node":"ext","Address":"10.0.0.9"}""");

        var (_, remote, _) = await GetAsync(Dc2.Leader, "/v1/catalog/service/db");
        var (_, local, _) = await GetAsync(_dc1.Leader, "/v1/catalog/service/db");
        Assert.Equal(("ext", "dc2"), ((string)remote!.AsArray().Single()!["Node"]!, (string)remote.AsArray().Single()!["Datacenter"]!));
        Assert.Empty(local!.AsArray());
        Assert.Equal((500, "No path to datacenter"), unknown);

        await PutAsync(_dc1.Leader, "/v1/catalog/deregister", """{"Datacenter":"dc2","Node":"ext"}""");
        Assert.Empty((await GetAsync(Dc2.Leader, "/v1/catalog/service/db")).Json!.AsArray());
    }

    [Fact]
    public async Task WanLatency_DelaysForwardedRequestsOnly()
    {
        Dc2.WanLatency = TimeSpan.FromMilliseconds(300);

        var started = TimeProvider.System.GetTimestamp();
        Assert.Equal(200, (await SendAsync(_dc1.Leader, HttpMethod.Get, "/v1/catalog/services?dc=dc2")).Status);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.True(elapsed >= TimeSpan.FromMilliseconds(300), $"forwarded in {elapsed}");
        Assert.Equal(TimeSpan.FromMilliseconds(300), Dc2.WanLatency);
    }

    [Fact]
    public async Task DisposingThePrimary_StopsEveryDatacenter()
    {
        var agents = _dc1.Datacenters.SelectMany(d => d.Agents).ToList();

        await _dc1.DisposeAsync();

        Assert.All(agents, a => Assert.False(a.IsAccepting));
    }

    [Fact]
    public async Task OneDatacenter_HasNoWan()
    {
        await using var single = await ConsulTestCluster.StartAsync(1, cancellationToken: Ct);

        Assert.Equal([single], single.Datacenters);
        Assert.True(single.WanReachable);
        var error = Assert.Throws<InvalidOperationException>(() => single.WanReachable = false);
        Assert.Contains("StartDatacentersAsync", error.Message, StringComparison.Ordinal);
        Assert.Equal(["dc1"], (await GetAsync(single.Leader, "/v1/catalog/datacenters")).Json!.AsArray().Select(d => (string)d!));
        Assert.Equal((500, "No path to datacenter"), await SendAsync(single.Leader, HttpMethod.Get, "/v1/health/service/web?dc=dc2"));
    }

    [Theory]
    [InlineData("DC2", 1, "ConsulTestDatacenterOptions[1].Name 'DC2' is not a datacenter name")]
    [InlineData("dc1", 1, "ConsulTestDatacenterOptions[1].Name 'dc1' names a datacenter twice")]
    [InlineData("dc2", 0, "ConsulTestDatacenterOptions[1].Agents is 0")]
    [InlineData("dc2", 32, "The datacenters run 33 agents together")]
    public async Task InvalidDatacenters_RefusedNamingTheSettingAndValue(string name, int agents, string message)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ConsulTestCluster.StartDatacentersAsync(
            [new() { Name = "dc1" }, new() { Name = name, Agents = agents }], cancellationToken: Ct));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
