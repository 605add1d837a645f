// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §6: GET /v1/health/service/:service.</summary>
public sealed class HealthConformanceTests
{
    [Fact]
    public async Task UnknownService_ReturnsEmptyArrayWith200()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/health/service/{consul.Name("nope")}");
        Assert.Equal(200, reply.Status);
        Assert.Empty(reply.Json.AsArray());
        Assert.True(reply.Index >= 1);
    }

    [Theory]
    [InlineData("?wait=abc", "Invalid wait time")]
    [InlineData("?index=abc", "Invalid index")]
    [InlineData("?index=-1", "Invalid index")]
    [InlineData("?stale&consistent", "Cannot specify ?stale with ?consistent, conflicting semantics.")]
    [InlineData("?max_stale=abc", "Invalid max_stale value \"abc\"")]
    [InlineData("?passing=maybe", "Invalid value for ?passing")]
    public async Task BadQuery_Returns400WithText(string query, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/health/service/web{query}");
        Assert.Equal(400, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task EmptyServiceName_Returns400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/health/service/");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Missing service name", reply.Text);
    }

    [Fact]
    public async Task OtherDatacenter_Returns500NoPath()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/health/service/web?dc=nowhere-dc");
        Assert.Equal(500, reply.Status);
        Assert.Contains("No path to datacenter", reply.Text);
    }

    [Fact]
    public async Task Entry_HasNodeServiceAndChecksIncludingSerfHealth()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var entry = (await consul.GetAsync($"/v1/health/service/{name}")).Json.AsArray().Single()!;
        Assert.False(string.IsNullOrEmpty(entry["Node"]!["Node"]!.GetValue<string>()));
        Assert.Equal(name, entry["Service"]!["Service"]!.GetValue<string>());
        Assert.Equal(8080, entry["Service"]!["Port"]!.GetValue<int>());
        Assert.NotNull(entry["Service"]!["Proxy"]);
        Assert.IsType<JsonObject>(entry["Service"]!["Connect"]);
        var checks = entry["Checks"]!.AsArray();
        var serf = checks.Single(c => c!["CheckID"]!.GetValue<string>() == "serfHealth")!;
        Assert.Equal("passing", serf["Status"]!.GetValue<string>());
        Assert.Equal("Serf Health Status", serf["Name"]!.GetValue<string>());
        Assert.Equal(string.Empty, serf["ServiceID"]!.GetValue<string>());
        Assert.Empty(serf["ServiceTags"]!.AsArray());
        Assert.Contains(checks, c => c!["CheckID"]!.GetValue<string>() == $"{name}-c");
    }

    [Fact]
    public async Task PortZero_IsOmittedFromHealthService()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}"}""");
        var entry = (await consul.GetAsync($"/v1/health/service/{name}")).Json.AsArray().Single()!;
        Assert.Null(entry["Service"]!["Port"]);
        Assert.Empty(entry["Service"]!["Tags"]!.AsArray());
    }

    [Theory]
    [InlineData("?passing")]
    [InlineData("?passing=1")]
    [InlineData("?passing=true")]
    public async Task Passing_DropsWarningAndCritical(string query)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-ok","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-warn","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"warning"}}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-bad","Name":"{{{{name}}}}","Check":{"TTL":"30s"}}""");
        var all = await consul.GetAsync($"/v1/health/service/{name}");
        var passing = await consul.GetAsync($"/v1/health/service/{name}{query}");
        Assert.Equal(3, all.Json.AsArray().Count);
        Assert.Equal([$"{name}-ok"], passing.Json.AsArray().Select(e => e!["Service"]!["ID"]!.GetValue<string>()));
        Assert.Equal(all.Index, passing.Index);
    }

    [Fact]
    public async Task PassingFalse_ReturnsAll()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s"}}""");
        Assert.Single((await consul.GetAsync($"/v1/health/service/{name}?passing=false")).Json.AsArray());
    }

    [Fact]
    public async Task Tag_IsCaseInsensitiveAndAnded()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Tags":["Blue","v1"]}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Tags":["blue"]}""");
        var one = await consul.GetAsync($"/v1/health/service/{name}?tag=blue&tag=V1");
        Assert.Equal([$"{name}-1"], one.Json.AsArray().Select(e => e!["Service"]!["ID"]!.GetValue<string>()));
        Assert.Equal(2, (await consul.GetAsync($"/v1/health/service/{name}?tag=BLUE")).Json.AsArray().Count);
    }

    [Fact]
    public async Task Filter_OnServiceMetaAndChecks()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Meta":{"zone":"a"},"Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Meta":{"zone":"b"},"Check":{"TTL":"30s","Status":"passing"}}""");
        var filter = Uri.EscapeDataString("Service.Meta.zone == \"b\" and not (Service.ID == \"x\")");
        var reply = await consul.GetAsync($"/v1/health/service/{name}?filter={filter}");
        Assert.Equal(200, reply.Status);
        Assert.Equal([$"{name}-2"], reply.Json.AsArray().Select(e => e!["Service"]!["ID"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BadFilter_Returns500()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/health/service/web?filter={Uri.EscapeDataString("Service.Service ===")}");
        Assert.Equal(500, reply.Status);
        Assert.StartsWith("Failed to create boolean expression evaluator: ", reply.Text);
    }

    [Fact]
    public async Task BlockingHeaders_ArePresent()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/health/service/web");
        Assert.Equal("true", reply.Header("X-Consul-KnownLeader"));
        Assert.Equal("0", reply.Header("X-Consul-LastContact"));
        Assert.Equal("leader", reply.Header("X-Consul-Effective-Consistency"));
        Assert.Equal("stale", (await consul.GetAsync("/v1/health/service/web?stale")).Header("X-Consul-Effective-Consistency"));
        Assert.Equal("consistent", (await consul.GetAsync("/v1/health/service/web?consistent")).Header("X-Consul-Effective-Consistency"));
    }
}
