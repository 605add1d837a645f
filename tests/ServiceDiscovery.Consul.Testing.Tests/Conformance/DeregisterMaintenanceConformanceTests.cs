// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §2 and §3: deregistration and maintenance mode.</summary>
public sealed class DeregisterMaintenanceConformanceTests
{
    [Fact]
    public async Task Deregister_UnknownId_Returns404WithText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("nope");
        var reply = await consul.PutAsync($"/v1/agent/service/deregister/{id}");
        Assert.Equal(404, reply.Status);
        Assert.Equal($"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.", reply.Text);
    }

    [Fact]
    public async Task Deregister_RemovesServiceAndChecks()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/service/deregister/{name}");
        Assert.Equal(200, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
        Assert.False((await consul.GetAsync("/v1/agent/services")).Json.AsObject().ContainsKey(name));
        Assert.False((await consul.GetAsync("/v1/agent/checks")).Json.AsObject().ContainsKey($"{name}-c"));
        Assert.Empty((await consul.GetAsync($"/v1/health/service/{name}")).Json.AsArray());
    }

    [Theory]
    [InlineData("", "?enable=true", 400, "Missing service ID")]
    [InlineData("svc", "", 400, "Missing value for enable")]
    [InlineData("svc", "?enable=", 400, "Invalid value for enable: \"\"")]
    [InlineData("svc", "?enable=yes", 400, "Invalid value for enable: \"yes\"")]
    public async Task Maintenance_BadRequest_ReturnsConsulText(string id, string query, int status, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync($"/v1/agent/service/maintenance/{id}{query}");
        Assert.Equal(status, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task Maintenance_UnknownService_Returns404()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("nope");
        var reply = await consul.PutAsync($"/v1/agent/service/maintenance/{id}?enable=true");
        Assert.Equal(404, reply.Status);
        Assert.Equal($"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.", reply.Text);
    }

    [Fact]
    public async Task Maintenance_Enable_AddsCriticalCheckAndDropsFromPassing()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s","Status":"passing"}}""");
        Assert.Single((await consul.GetAsync($"/v1/health/service/{name}?passing")).Json.AsArray());

        var reply = await consul.PutAsync($"/v1/agent/service/maintenance/{name}?enable=true");
        Assert.Equal(200, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"_service_maintenance:{name}"]!;
        Assert.Equal("critical", check["Status"]!.GetValue<string>());
        Assert.Equal("Service Maintenance Mode", check["Name"]!.GetValue<string>());
        Assert.Equal("Maintenance mode is enabled for this service, but no reason was provided. This is a default message.", check["Notes"]!.GetValue<string>());
        Assert.Empty((await consul.GetAsync($"/v1/health/service/{name}?passing")).Json.AsArray());

        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/maintenance/{name}?enable=false")).Status);
        Assert.False((await consul.GetAsync("/v1/agent/checks")).Json.AsObject().ContainsKey($"_service_maintenance:{name}"));
        Assert.Single((await consul.GetAsync($"/v1/health/service/{name}?passing")).Json.AsArray());
    }

    [Fact]
    public async Task Maintenance_Reason_BecomesNotes()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}"}""");
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/maintenance/{name}?enable=1&reason=deploying+v2")).Status);
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"_service_maintenance:{name}"]!;
        Assert.Equal("deploying v2", check["Notes"]!.GetValue<string>());
    }
}
