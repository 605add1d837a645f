// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §16: what real clients send, and Consul accepts.</summary>
public sealed class RealClientQuirkConformanceTests
{
    [Fact]
    public async Task LowerAndMixedCaseKeys_AreAccepted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""
            {"name":"{{{{name}}}}","id":"{{{{name}}}}-1","port":80,"tags":["a"],"enabletagoverride":true,
             "check":{"checkid":"{{{{name}}}}-c","ttl":"15.0s","DeregisterCriticalServiceAfter":"150.0s","status":"passing"}}
            """);
        var service = (await consul.GetAsync($"/v1/agent/service/{name}-1")).Json;
        Assert.Equal(80, service["Port"]!.GetValue<int>());
        Assert.True(service["EnableTagOverride"]!.GetValue<bool>());
        Assert.Equal("passing", (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task SnakeCaseAliases_AreAccepted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register",
            $$$$"""{"Name":"{{{{consul.Name("web")}}}}","enable_tag_override":true,"Check":{"TTL":"10s","deregister_critical_service_after":"1m"}}""");
        Assert.Equal(200, reply.Status);
    }

    [Theory]
    [InlineData("\"0.001s\"")]
    [InlineData("\"100000ms\"")]
    [InlineData("\"1m30s\"")]
    [InlineData("15000000000")]
    public async Task Durations_AsFractionsUnitsOrNanoseconds(string ttl)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", $$$$"""{"Name":"{{{{consul.Name("web")}}}}","Check":{"TTL":{{{{ttl}}}}}}""");
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task EncodedSlashInKvKey_IsDecoded()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("cfg");
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{prefix}%2Fa%2Fb", "v")).Status);
        var entry = (await consul.GetAsync($"/v1/kv/{prefix}/a/b")).Json[0]!;
        Assert.Equal($"{prefix}/a/b", entry["Key"]!.GetValue<string>());
    }

    [Fact]
    public async Task EncodedColonInCheckId_IsDecoded()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/check/pass/service%3A{name}");
        Assert.Equal(200, reply.Status);
        Assert.Equal("passing", (await consul.GetAsync("/v1/agent/checks")).Json[$"service:{name}"]!["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ServiceIdWithSlash_RoundTrips()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("demo");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}/pg1","Name":"{{{{name}}}}"}""");
        Assert.Equal(200, (await consul.GetAsync($"/v1/agent/service/{name}/pg1")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/maintenance/{name}%2Fpg1?enable=true")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/deregister/{name}/pg1")).Status);
    }

    [Fact]
    public async Task GetOnDeregister_Returns405()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/service/deregister/x");
        Assert.Equal(405, reply.Status);
    }

    [Fact]
    public async Task EmptyListsAreArraysNeverNull()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s"}}""");
        var entry = (await consul.GetAsync($"/v1/health/service/{name}")).Json[0]!;
        Assert.Empty(entry["Service"]!["Tags"]!.AsArray());
        Assert.All(entry["Checks"]!.AsArray(), c => Assert.NotNull(c!["ServiceTags"]!.AsArray()));
    }
}
