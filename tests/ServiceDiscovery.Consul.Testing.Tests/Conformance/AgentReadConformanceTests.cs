// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §4: agent services, single service, checks, filters.</summary>
public sealed class AgentReadConformanceTests
{
    [Fact]
    public async Task AgentService_Unknown_Returns404WithText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("nope");
        var reply = await consul.GetAsync($"/v1/agent/service/{id}");
        Assert.Equal(404, reply.Status);
        Assert.Equal($"unknown service ID: {id}", reply.Text);
    }

    [Fact]
    public async Task AgentService_HasContentHashInBodyAndHeader()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":1}""");
        var reply = await consul.GetAsync($"/v1/agent/service/{name}");
        var hash = reply.Json["ContentHash"]!.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(hash));
        Assert.Equal(hash, reply.Header("X-Consul-ContentHash"));
    }

    [Fact]
    public async Task AgentService_HashBlocking_ReturnsOnChange()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":1}""");
        var hash = (await consul.GetAsync($"/v1/agent/service/{name}")).Json["ContentHash"]!.GetValue<string>();
        var blocked = consul.GetAsync($"/v1/agent/service/{name}?hash={hash}&wait=30s");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":2}""");
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(2, reply.Json["Port"]!.GetValue<int>());
        Assert.NotEqual(hash, reply.Json["ContentHash"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentServices_Filter_SelectsByTag()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Tags":["blue"]}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Tags":["green"]}""");
        var reply = await consul.GetAsync($"/v1/agent/services?filter={Uri.EscapeDataString($"blue in Tags and Service == \"{name}\"")}");
        Assert.Equal(200, reply.Status);
        var ids = reply.Json.AsObject().Select(p => p.Key).ToList();
        Assert.Equal([$"{name}-1"], ids);
    }

    [Fact]
    public async Task AgentServices_BadFilter_Returns500WithEvaluatorText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/agent/services?filter={Uri.EscapeDataString("Service ==")}");
        Assert.Equal(500, reply.Status);
        Assert.StartsWith("Failed to create boolean expression evaluator: ", reply.Text);
    }

    [Fact]
    public async Task AgentServices_UnknownSelector_Returns500()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/agent/services?filter={Uri.EscapeDataString("Nope == x")}");
        Assert.Equal(500, reply.Status);
        Assert.StartsWith("Failed to create boolean expression evaluator: ", reply.Text);
    }

    [Fact]
    public async Task AgentChecks_TtlCheck_HasEmptyIntervalAndTimeout()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal(string.Empty, check["Interval"]!.GetValue<string>());
        Assert.Equal(string.Empty, check["Timeout"]!.GetValue<string>());
        Assert.Equal(string.Empty, check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task AgentServices_NoBlocking_IgnoresIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/services?index=999999&wait=30s").WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(200, reply.Status);
    }
}
