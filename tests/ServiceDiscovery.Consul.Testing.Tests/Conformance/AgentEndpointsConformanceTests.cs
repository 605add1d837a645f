// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §13: agent/self in full, members, version, host, metrics, monitor, token, join, force-leave, reload, leave.</summary>
public sealed class AgentEndpointsConformanceTests
{
    [Fact]
    public async Task Self_HasStatsMemberTagsAndDebugConfig()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        var stats = self["Stats"]!;
        Assert.Equal("true", stats["consul"]!["leader"]!.GetValue<string>());
        Assert.Equal("true", stats["consul"]!["server"]!.GetValue<string>());
        Assert.Equal("1", stats["consul"]!["known_datacenters"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(stats["consul"]!["leader_addr"]!.GetValue<string>()));
        Assert.Equal(self["Config"]!["Version"]!.GetValue<string>(), stats["build"]!["version"]!.GetValue<string>());
        Assert.NotNull(stats["build"]!["revision"]);
        Assert.Equal("Leader", stats["raft"]!["state"]!.GetValue<string>());
        Assert.Equal("1", stats["serf_lan"]!["members"]!.GetValue<string>());
        Assert.NotNull(stats["runtime"]!["arch"]);
        Assert.NotNull(stats["agent"]!["services"]);

        var member = self["Member"]!;
        Assert.Equal(self["Config"]!["NodeName"]!.GetValue<string>(), member["Name"]!.GetValue<string>());
        Assert.Equal(1, member["Status"]!.GetValue<int>());
        Assert.Equal("consul", member["Tags"]!["role"]!.GetValue<string>());
        Assert.Equal("1", member["Tags"]!["bootstrap"]!.GetValue<string>());
        Assert.Equal(self["Config"]!["Datacenter"]!.GetValue<string>(), member["Tags"]!["dc"]!.GetValue<string>());
        Assert.StartsWith(self["Config"]!["Version"]!.GetValue<string>() + ":", member["Tags"]!["build"]!.GetValue<string>());
        foreach (var field in (string[])["ProtocolMin", "ProtocolMax", "ProtocolCur", "DelegateMin", "DelegateMax", "DelegateCur"])
        {
            Assert.NotNull(member[field]);
        }

        var debug = self["DebugConfig"]!;
        Assert.Equal(self["Config"]!["NodeName"]!.GetValue<string>(), debug["NodeName"]!.GetValue<string>());
        Assert.Equal(8300, debug["ServerPort"]!.GetValue<int>());
        Assert.Equal(8301, debug["SerfPortLAN"]!.GetValue<int>());
        Assert.Equal(8600, debug["DNSPort"]!.GetValue<int>());
        Assert.IsType<bool>(debug["EnableScriptChecks"]!.GetValue<bool>());
        Assert.IsType<bool>(debug["ACLsEnabled"]!.GetValue<bool>());
        Assert.NotEmpty(debug["ClientAddrs"]!.AsArray());
        Assert.StartsWith("tcp://", debug["HTTPAddrs"]!.AsArray()[0]!.GetValue<string>());
        Assert.Equal(new Uri(consul.Http.BaseAddress!.ToString()).Port, debug["HTTPPort"]!.GetValue<int>());
        Assert.Equal(8, self["Coord"]!["Vec"]!.AsArray().Count);
        Assert.NotNull(self["xDS"]!["SupportedProxies"]!["envoy"]);
        Assert.NotNull(self["Meta"]!["consul-version"]);
    }

    [Fact]
    public async Task Members_IsTheAgentAlone_OnLanAndWan()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        var node = self["Config"]!["NodeName"]!.GetValue<string>();
        var dc = self["Config"]!["Datacenter"]!.GetValue<string>();

        var lan = (await consul.GetAsync("/v1/agent/members")).Json.AsArray();
        var member = Assert.Single(lan)!;
        Assert.Equal(node, member["Name"]!.GetValue<string>());
        Assert.Equal(8301, member["Port"]!.GetValue<int>());
        Assert.Equal("consul", member["Tags"]!["role"]!.GetValue<string>());

        var wan = Assert.Single((await consul.GetAsync("/v1/agent/members?wan=1")).Json.AsArray())!;
        Assert.Equal($"{node}.{dc}", wan["Name"]!.GetValue<string>());
        Assert.Equal(8302, wan["Port"]!.GetValue<int>());

        Assert.Single((await consul.GetAsync("/v1/agent/members?segment=_all")).Json.AsArray());
        var both = await consul.GetAsync("/v1/agent/members?wan=1&segment=alpha");
        Assert.Equal(400, both.Status);
        Assert.Equal("Cannot provide a segment with wan=true", both.Text);
    }

    [Fact]
    public async Task Version_And_Host()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var version = (await consul.GetAsync("/v1/agent/version")).Json;
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        Assert.StartsWith(self["Config"]!["Version"]!.GetValue<string>(), version["HumanVersion"]!.GetValue<string>());

        var host = (await consul.GetAsync("/v1/agent/host")).Json;
        Assert.True(host["Memory"]!["total"]!.GetValue<long>() > 0);
        Assert.NotEmpty(host["CPU"]!.AsArray());
        Assert.False(string.IsNullOrEmpty(host["Host"]!["hostname"]!.GetValue<string>()));
        Assert.NotNull(host["Disk"]);
        Assert.NotNull(host["CollectionTime"]);
    }

    [Fact]
    public async Task Metrics_JsonShape()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/metrics");
        Assert.Equal(200, reply.Status);
        var metrics = reply.Json;
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$", metrics["Timestamp"]!.GetValue<string>());
        foreach (var list in (string[])["Gauges", "Points", "Counters", "Samples"])
        {
            Assert.IsType<JsonArray>(metrics[list]);
        }

        var gauge = metrics["Gauges"]!.AsArray()[0]!;
        Assert.NotNull(gauge["Name"]);
        Assert.NotNull(gauge["Value"]);
        Assert.IsType<JsonObject>(gauge["Labels"]);
    }

    [Fact]
    public async Task Metrics_Prometheus_RefusedOnDevAgent_ServedWithRetention()
    {
        await using (var dev = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions(), "a -dev agent has no prometheus_retention_time"))
        {
            var refused = await dev.GetAsync("/v1/agent/metrics?format=prometheus");
            Assert.Equal(415, refused.Status);
            Assert.Equal("Prometheus is not enabled since its retention time is not positive", refused.Text);
        }

        await using var consul = await ConsulTarget.StartAgentAsync(
            new ConsulTestAgentOptions { PrometheusRetentionTime = TimeSpan.FromMinutes(1) }, "configures prometheus_retention_time");
        var reply = await consul.GetAsync("/v1/agent/metrics?format=prometheus");
        Assert.Equal(200, reply.Status);
        Assert.StartsWith("text/plain; version=0.0.4", reply.Header("Content-Type"));
        Assert.Contains("# TYPE consul_runtime_num_goroutines gauge", reply.Text);
    }

    [Fact]
    public async Task Monitor_StreamsAgentLogLines_AndRejectsUnknownLevel()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var bad = await consul.GetAsync("/v1/agent/monitor?loglevel=loud");
        Assert.Equal(400, bad.Status);
        Assert.Equal("Unknown log level: loud", bad.Text);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/agent/monitor?loglevel=debug");
        using var response = await consul.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
        var id = consul.Name("mon");
        await consul.RegisterAsync($$"""{"ID":"{{id}}","Name":"{{id}}"}""");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(deadline.Token);
        }
        while (line is not null && !line.Contains(id, StringComparison.Ordinal));

        Assert.NotNull(line);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(INFO|DEBUG)\] ", line);
    }

    [Fact]
    public async Task Token_WithAclsDisabled_Is401()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json;
        if (self["DebugConfig"]!["ACLsEnabled"]!.GetValue<bool>())
        {
            Assert.Skip("the target has ACLs on");
        }

        var reply = await consul.PutAsync("/v1/agent/token/default", """{"Token":"x"}""");
        Assert.Equal(401, reply.Status);
        Assert.Equal("ACL support disabled", reply.Text);
    }

    [Fact]
    public async Task Token_WithAcls_SetsDefaultToken_AndRejectsUnknownTypes()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = "root";
        await using var consul = await ConsulTarget.StartAgentAsync(options, "configures ACLs");
        Assert.Equal(403, (await consul.GetAsync("/v1/agent/self")).Status);

        var unknown = await consul.PutAsync("/v1/agent/token/nonsense", """{"Token":"root"}""", token: "root");
        Assert.Equal(404, unknown.Status);
        Assert.Equal("Token \"nonsense\" is unknown", unknown.Text);
        var badBody = await consul.PutAsync("/v1/agent/token/default", """{"Secret":"root"}""", token: "root");
        Assert.Equal(400, badBody.Status);
        Assert.StartsWith("Request decode failed: json: unknown field \"Secret\"", badBody.Text);

        Assert.Equal(200, (await consul.PutAsync("/v1/agent/token/default", """{"Token":"root"}""", token: "root")).Status);
        Assert.Equal(200, (await consul.GetAsync("/v1/agent/self")).Status);
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/token/agent_recovery", """{"Token":"r2"}""")).Status);
    }

    [Fact]
    public async Task Join_Self_ForceLeave_Reload()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["NodeName"]!.GetValue<string>();
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/join/127.0.0.1")).Status);
        Assert.Equal(405, (await consul.GetAsync("/v1/agent/join/127.0.0.1")).Status);
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/reload")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/force-leave/{node}")).Status);

        var missing = consul.Name("ghost");
        var reply = await consul.PutAsync($"/v1/agent/force-leave/{missing}?prune");
        Assert.Equal(500, reply.Status);
        Assert.Equal($"agent: No node found with name '{missing}'", reply.Text);
    }

    [Fact]
    public async Task Leave_Answers_ThenStopsListening()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions(), "leave shuts the agent down");
        var agent = consul.RequireAgent("leave shuts the agent down");
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/leave")).Status);
        await agent.WaitUntilAsync(a => !a.IsAccepting, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await agent.StartAcceptingAsync(TestContext.Current.CancellationToken);
        Assert.Equal(200, (await consul.GetAsync("/v1/agent/self")).Status);
    }
}
