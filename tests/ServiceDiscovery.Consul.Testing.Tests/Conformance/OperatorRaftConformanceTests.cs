// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md (raft operator): peer removal and leadership transfer as a single-server dev agent answers
/// them. Against a real Consul the tests that would change membership run only when it has exactly one server,
/// where every such request is refused.
/// </summary>
public sealed class OperatorRaftConformanceTests
{
    [Fact]
    public async Task RemovePeer_NeedsExactlyOneOfIdAndAddress()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var neither = await consul.DeleteAsync("/v1/operator/raft/peer");
        Assert.Equal((400, "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove"), (neither.Status, neither.Text));
        var both = await consul.DeleteAsync("/v1/operator/raft/peer?id=a&address=127.0.0.1:8300");
        Assert.Equal((400, "Must specify only one of ?id or ?address"), (both.Status, both.Text));
        var get = await consul.GetAsync("/v1/operator/raft/peer?id=a");
        Assert.Equal(405, get.Status);
    }

    [Fact]
    public async Task RemovePeer_UnknownIdOrAddress_Is500NamingIt()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = Guid.NewGuid().ToString();
        var byId = await consul.DeleteAsync($"/v1/operator/raft/peer?id={id}");
        Assert.Equal((500, $"id \"{id}\" was not found in the Raft configuration"), (byId.Status, byId.Text));
        var byAddress = await consul.DeleteAsync("/v1/operator/raft/peer?address=192.0.2.1:8300");
        Assert.Equal((500, "address \"192.0.2.1:8300\" was not found in the Raft configuration"), (byAddress.Status, byAddress.Text));
    }

    [Fact]
    public async Task RemovePeer_TheOnlyServer_IsRefusedByRaft()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var server = await SingleServerAsync(consul);
        var byId = await consul.DeleteAsync($"/v1/operator/raft/peer?id={server.Id}");
        Assert.Equal((500, "need at least one voter in configuration: {[]}"), (byId.Status, byId.Text));
        var byAddress = await consul.DeleteAsync($"/v1/operator/raft/peer?address={server.Address}");
        Assert.Equal((500, "need at least one voter in configuration: {[]}"), (byAddress.Status, byAddress.Text));

        var after = await consul.GetAsync("/v1/operator/raft/configuration");
        Assert.Equal(server.Id, Assert.Single(after.Json["Servers"]!.AsArray())!["ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task TransferLeader_OnASingleServer_HasNowhereToGo()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var server = await SingleServerAsync(consul);

        var any = await consul.SendAsync(HttpMethod.Post, "/v1/operator/raft/transfer-leader");
        Assert.Equal((500, "cannot find peer"), (any.Status, any.Text));
        var itself = await consul.SendAsync(HttpMethod.Post, $"/v1/operator/raft/transfer-leader?id={server.Id}");
        Assert.Equal((500, "cannot transfer leadership to itself"), (itself.Status, itself.Text));
        var unknown = Guid.NewGuid().ToString();
        var other = await consul.SendAsync(HttpMethod.Post, $"/v1/operator/raft/transfer-leader?id={unknown}");
        Assert.Equal((500, $"Could not find address for server id {unknown}"), (other.Status, other.Text));
        var put = await consul.PutAsync("/v1/operator/raft/transfer-leader");
        Assert.Equal(405, put.Status);

        var after = await consul.GetAsync("/v1/operator/raft/configuration");
        Assert.True(Assert.Single(after.Json["Servers"]!.AsArray())!["Leader"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Changes_NeedOperatorWrite()
    {
        const string accessor = "0b5e8c3a-1d2f-4a6b-9c7d-8e9f0a1b2c3d";
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.Tokens.Add(new ConsulTestAclToken { SecretId = "reader", AccessorId = accessor, PolicyRules = "operator = \"read\"" });
        await using var consul = await ConsulTarget.StartAgentAsync(options, "configures ACLs");

        Assert.Equal(200, (await consul.GetAsync("/v1/operator/raft/configuration", token: "reader")).Status);
        var denied = $"Permission denied: token with AccessorID '{accessor}' lacks permission 'operator:write'";
        var remove = await consul.DeleteAsync("/v1/operator/raft/peer?id=x", token: "reader");
        Assert.Equal((403, denied), (remove.Status, remove.Text));
        var transfer = await consul.SendAsync(HttpMethod.Post, "/v1/operator/raft/transfer-leader", token: "reader");
        Assert.Equal((403, denied), (transfer.Status, transfer.Text));

        // The parameter check comes before the permission check, as in Consul.
        var bad = await consul.DeleteAsync("/v1/operator/raft/peer", token: "reader");
        Assert.Equal(400, bad.Status);
    }

    private static async Task<(string Id, string Address)> SingleServerAsync(ConsulTarget consul)
    {
        var servers = (await consul.GetAsync("/v1/operator/raft/configuration")).Json["Servers"]!.AsArray();
        if (servers.Count != 1)
        {
            Assert.Skip("the target has several servers: removing or moving the leader would change it");
        }

        return (servers[0]!["ID"]!.GetValue<string>(), servers[0]!["Address"]!.GetValue<string>());
    }
}
