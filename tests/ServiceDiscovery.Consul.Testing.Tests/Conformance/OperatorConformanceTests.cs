// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary><c>/v1/operator/*</c> (agent/operator_endpoint.go) as a single dev server answers.</summary>
public sealed class OperatorConformanceTests
{
    [Fact]
    public async Task RaftConfiguration_OneVoterThatLeads()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/operator/raft/configuration");
        Assert.Equal(200, reply.Status);
        var server = reply.Json["Servers"]!.AsArray().Single()!;
        Assert.True(server["Leader"]!.GetValue<bool>());
        Assert.True(server["Voter"]!.GetValue<bool>());
        Assert.Equal("3", server["ProtocolVersion"]!.GetValue<string>());
        Assert.EndsWith(":8300", server["Address"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(reply.Json["Index"]);
        var self = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!;
        Assert.Equal(self["NodeName"]!.GetValue<string>(), server["Node"]!.GetValue<string>());
        Assert.Equal(self["NodeID"]!.GetValue<string>(), server["ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task AutopilotHealthAndState_Healthy()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var health = await consul.GetAsync("/v1/operator/autopilot/health");
        Assert.Equal(200, health.Status);
        Assert.True(health.Json["Healthy"]!.GetValue<bool>());
        Assert.Equal(0, health.Json["FailureTolerance"]!.GetValue<int>());
        var server = health.Json["Servers"]!.AsArray().Single()!;
        Assert.Equal("alive", server["SerfStatus"]!.GetValue<string>());
        Assert.True(server["Leader"]!.GetValue<bool>());

        var state = await consul.GetAsync("/v1/operator/autopilot/state");
        Assert.Equal(200, state.Status);
        var leader = state.Json["Leader"]!.GetValue<string>();
        Assert.Equal([leader], state.Json["Voters"]!.AsArray().Select(v => v!.GetValue<string>()));
        var entry = state.Json["Servers"]![leader]!;
        Assert.Equal("leader", entry["Status"]!.GetValue<string>());
        Assert.Equal("voter", entry["NodeType"]!.GetValue<string>());
    }

    [Fact]
    public async Task AutopilotConfiguration_DefaultsPutAndCas()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var initial = await consul.GetAsync("/v1/operator/autopilot/configuration");
        Assert.Equal(200, initial.Status);
        Assert.Equal("200ms", initial.Json["LastContactThreshold"]!.GetValue<string>());
        Assert.Equal("10s", initial.Json["ServerStabilizationTime"]!.GetValue<string>());
        Assert.Equal(250, initial.Json["MaxTrailingLogs"]!.GetValue<int>());

        try
        {
            var put = await consul.PutAsync("/v1/operator/autopilot/configuration", """{"CleanupDeadServers":true,"MaxTrailingLogs":300}""");
            Assert.Equal((200, "true"), (put.Status, put.Text.Trim()));
            var after = await consul.GetAsync("/v1/operator/autopilot/configuration");
            Assert.Equal(300, after.Json["MaxTrailingLogs"]!.GetValue<int>());
            Assert.Equal("200ms", after.Json["LastContactThreshold"]!.GetValue<string>());
            var modify = after.Json["ModifyIndex"]!.GetValue<ulong>();

            var stale = await consul.PutAsync($"/v1/operator/autopilot/configuration?cas={modify - 1}", """{"MaxTrailingLogs":400}""");
            Assert.Equal((200, "false"), (stale.Status, stale.Text.Trim()));
            var bad = await consul.PutAsync("/v1/operator/autopilot/configuration?cas=x", "{}");
            Assert.Equal((400, "Error parsing cas value: strconv.ParseUint: parsing \"x\": invalid syntax"), (bad.Status, bad.Text));
        }
        finally
        {
            await consul.PutAsync("/v1/operator/autopilot/configuration", "{}");
        }
    }

    [Fact]
    public async Task AutopilotConfiguration_UnknownField_Is400_AndChangesNothing()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var before = (await consul.GetAsync("/v1/operator/autopilot/configuration")).Json["ModifyIndex"]!.GetValue<ulong>();

        var reply = await consul.PutAsync("/v1/operator/autopilot/configuration", """{"MaxTrailingLogs":300,"Bogus":1}""");

        Assert.Equal((400, "Error parsing autopilot config: json: unknown field \"Bogus\""), (reply.Status, reply.Text));
        Assert.Equal(before, (await consul.GetAsync("/v1/operator/autopilot/configuration")).Json["ModifyIndex"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task Keyring_WithoutGossipEncryption_Is500()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/operator/keyring");
        Assert.Equal(500, reply.Status);
        Assert.Contains("Keyring is empty (encryption not enabled)", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_CountsServicesWithBlockingHeaders()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var dc = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["Datacenter"]!.GetValue<string>();
        var reply = await consul.GetAsync("/v1/operator/usage");
        Assert.Equal(200, reply.Status);
        Assert.True(reply.Index > 0);
        var usage = reply.Json["Usage"]![dc]!;
        Assert.True(usage["Services"]!.GetValue<int>() >= 1);
        Assert.True(usage["ServiceInstances"]!.GetValue<int>() >= 1);
        Assert.Equal(0, usage["ConnectServiceInstances"]!["mesh-gateway"]!.GetValue<int>());
        Assert.True(reply.Json["KnownLeader"]!.GetValue<bool>());
    }

    [Fact]
    public async Task OperatorRead_IsRequiredWithAcls()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "configures ACLs");
        var reply = await consul.GetAsync("/v1/operator/raft/configuration");
        Assert.Equal(403, reply.Status);
        Assert.StartsWith("Permission denied: anonymous token lacks permission 'operator:read'", reply.Text, StringComparison.Ordinal);
    }
}
