// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §13 and §16: status endpoints and agent/self.</summary>
public sealed class StatusSelfConformanceTests
{
    [Fact]
    public async Task Leader_IsJsonString()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/status/leader");
        Assert.Equal(200, reply.Status);
        Assert.Matches(@"^\d+\.\d+\.\d+\.\d+:\d+$", reply.Json.GetValue<string>());
    }

    [Fact]
    public async Task Peers_IsArrayOfStrings()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var peers = (await consul.GetAsync("/v1/status/peers")).Json.AsArray();
        Assert.NotEmpty(peers);
        Assert.All(peers, p => Assert.Contains(':', p!.GetValue<string>()));
    }

    [Fact]
    public async Task Self_HasConfigAndMember()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        Assert.False(string.IsNullOrEmpty(self["Config"]!["Datacenter"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(self["Config"]!["NodeName"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(self["Config"]!["NodeID"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(self["Config"]!["Version"]!.GetValue<string>()));
        Assert.NotNull(self["Member"]!["Name"]);
    }

    [Fact]
    public async Task Self_ReportsConfiguredDatacenterAndNode()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { Datacenter = "eu1", NodeName = "n9" }, "configures datacenter and node");
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        Assert.Equal("eu1", self["Config"]!["Datacenter"]!.GetValue<string>());
        Assert.Equal("n9", self["Config"]!["NodeName"]!.GetValue<string>());
        Assert.True(self["Config"]!["Server"]!.GetValue<bool>());
    }

    [Fact]
    public async Task DevAgent_LeaderIsLoopback()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions(), "a dev agent's raft address");
        Assert.Equal("127.0.0.1:8300", (await consul.GetAsync("/v1/status/leader")).Json.GetValue<string>());
        Assert.Equal(["127.0.0.1:8300"], (await consul.GetAsync("/v1/status/peers")).Json.AsArray().Select(p => p!.GetValue<string>()));
    }
}
