// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §6 (AggregatedStatus, /v1/agent/health/service) and §3 (node maintenance).</summary>
public sealed class AgentHealthConformanceTests
{
    [Theory]
    [InlineData("passing", 200)]
    [InlineData("warning", 429)]
    [InlineData("critical", 503)]
    public async Task ById_MapsAggregatedStatusToCode(string status, int code)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"{{{{status}}}}"}}""");
        var reply = await consul.GetAsync($"/v1/agent/health/service/id/{name}");
        Assert.Equal(code, reply.Status);
        Assert.Equal(status, reply.Json["AggregatedStatus"]!.GetValue<string>());
        Assert.Equal(name, reply.Json["Service"]!["ID"]!.GetValue<string>());
        Assert.Contains(reply.Json["Checks"]!.AsArray(), c => c!["CheckID"]!.GetValue<string>() == $"service:{name}");
    }

    [Fact]
    public async Task ById_Maintenance_Is503WithMaintenanceStatus()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.PutAsync($"/v1/agent/service/maintenance/{name}?enable=true");
        var reply = await consul.GetAsync($"/v1/agent/health/service/id/{name}");
        Assert.Equal(503, reply.Status);
        Assert.Equal("maintenance", reply.Json["AggregatedStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task ById_Unknown_Is404WithCriticalAndNulls()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/agent/health/service/id/{consul.Name("nope")}");
        Assert.Equal(404, reply.Status);
        Assert.Equal("critical", reply.Json["AggregatedStatus"]!.GetValue<string>());
        Assert.Null(reply.Json["Service"]);
    }

    [Fact]
    public async Task ByIdFormatText_ReturnsBareStatus()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"warning"}}""");
        var reply = await consul.GetAsync($"/v1/agent/health/service/id/{name}?format=text");
        Assert.Equal(429, reply.Status);
        Assert.Equal("warning", reply.Text);
    }

    [Theory]
    [InlineData("/v1/agent/health/service/id/", "Missing serviceID")]
    [InlineData("/v1/agent/health/service/name/", "Missing service Name")]
    public async Task EmptyParameter_Returns400(string path, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync(path);
        Assert.Equal(400, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task AcceptTextPlain_ReturnsBareStatus()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/agent/health/service/name/{name}");
        request.Headers.TryAddWithoutValidation("Accept", "text/plain");
        using var response = await consul.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("passing", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ByName_MaintenanceInstance_ReportsMaintenanceAs503()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.PutAsync($"/v1/agent/service/maintenance/{name}-2?enable=true");
        var reply = await consul.GetAsync($"/v1/agent/health/service/name/{name}?format=text");
        Assert.Equal(503, reply.Status);
        Assert.Equal("maintenance", reply.Text);
    }

    [Fact]
    public async Task ByName_WorstInstanceDecidesCode()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"warning"}}""");
        var reply = await consul.GetAsync($"/v1/agent/health/service/name/{name}");
        Assert.Equal(429, reply.Status);
        Assert.Equal(2, reply.Json.AsArray().Count);
        Assert.Equal(404, (await consul.GetAsync($"/v1/agent/health/service/name/{consul.Name("nope")}")).Status);
    }

    [Fact]
    public async Task NodeMaintenance_DropsEveryInstanceFromPassing()
    {
        await using var consul = await ConsulTarget.StartAsync();
        consul.RequireAgent("node maintenance on a shared real agent would disturb other services");
        await consul.RegisterAsync("""{"Name":"web","Check":{"TTL":"30s","Status":"passing"}}""");
        Assert.Single((await consul.GetAsync("/v1/health/service/web?passing")).Json.AsArray());
        var before = (await consul.GetAsync("/v1/health/service/web")).Index;

        Assert.Equal(200, (await consul.PutAsync("/v1/agent/maintenance?enable=true&reason=patching")).Status);
        var during = await consul.GetAsync("/v1/health/service/web");
        Assert.True(during.Index > before);
        Assert.Contains(during.Json[0]!["Checks"]!.AsArray(), c => c!["CheckID"]!.GetValue<string>() == "_node_maintenance");
        Assert.Empty((await consul.GetAsync("/v1/health/service/web?passing")).Json.AsArray());

        Assert.Equal(200, (await consul.PutAsync("/v1/agent/maintenance?enable=false")).Status);
        Assert.Single((await consul.GetAsync("/v1/health/service/web?passing")).Json.AsArray());
    }

    [Theory]
    [InlineData("", "Missing value for enable")]
    [InlineData("?enable=maybe", "Invalid value for enable: \"maybe\"")]
    public async Task NodeMaintenance_BadEnable_Returns400(string query, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync($"/v1/agent/maintenance{query}");
        Assert.Equal(400, reply.Status);
        Assert.Equal(text, reply.Text);
    }
}
