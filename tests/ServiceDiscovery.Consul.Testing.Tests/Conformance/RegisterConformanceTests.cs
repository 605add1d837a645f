// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §1: PUT /v1/agent/service/register: decoding, validation order and texts, defaults, re-registration.</summary>
public sealed class RegisterConformanceTests
{
    [Theory]
    [InlineData("", "Request decode failed: EOF")]
    [InlineData("""{"Name":"x","Foo":1}""", "Request decode failed: json: unknown field \"Foo\"")]
    [InlineData("""{"Name":"x","Namespace":""}""", "Request decode failed: json: unknown field \"Namespace\"")]
    [InlineData("""{"Name":"x","Check":{"TTL":"abc"}}""", "Request decode failed: time: invalid duration \"abc\"")]
    [InlineData("""{"Name":"x","Check":{"ID":"c","TTL":"10s"}}""", "Request decode failed: json: unknown field \"ID\"")]
    [InlineData("""{"Port":80}""", "Missing service name")]
    [InlineData("""{"Name":"x","Address":"0.0.0.0"}""", "Invalid service address")]
    [InlineData("""{"Name":"x","Address":"::"}""", "Invalid service address")]
    [InlineData("""{"Name":"x","Weights":{"Passing":0,"Warning":1}}""", "Invalid Weights: Passing must be greater than 0")]
    [InlineData("""{"Name":"x","Weights":{"Passing":1,"Warning":-1}}""", "Invalid Weights: Warning must be greater or equal than 0")]
    [InlineData("""{"Name":"x","Meta":{"a b":"v"}}""", "Invalid Service Meta: Couldn't load metadata pair ('a b', 'v'): Key contains invalid characters")]
    [InlineData("""{"Name":"x","Meta":{"consul-x":"v"}}""", "Invalid Service Meta: Couldn't load metadata pair ('consul-x', 'v'): Key prefix 'consul-' is reserved for internal use")]
    [InlineData("""{"Name":"x","Check":{"Interval":"10s","TTL":"10s"}}""", "Invalid check: Interval and TTL cannot both be specified")]
    [InlineData("""{"Name":"x","Check":{"HTTP":"http://127.0.0.1:1/"}}""", "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks")]
    [InlineData("""{"Name":"x","Check":{"Name":"n","Notes":"only notes"}}""", "Invalid check: TTL must be > 0 for TTL checks")]
    [InlineData("""{"Name":"x","Checks":[{"TTL":"10s","FailuresBeforeWarning":3,"FailuresBeforeCritical":2}]}""", "Invalid check: FailuresBeforeWarning can't be higher than FailuresBeforeCritical")]
    [InlineData("""{"Name":"x","Checks":[{"TTL":"10s","FailuresBeforeWarning":1}]}""", "Invalid check: FailuresBeforeWarning can't be higher than FailuresBeforeCritical")]
    [InlineData("""{"Name":"x","Check":{"TTL":"10s","OutputMaxSize":-1}}""", "Invalid check: MaxOutputMaxSize must be positive")]
    [InlineData("""{"Name":"x","Check":{"AliasService":"db","TTL":"10s"}}""", "Invalid check: TTL must be not be set for Alias checks")]
    [InlineData("""{"Name":"x","Check":{"AliasService":"db","HTTP":"http://127.0.0.1:1/","Interval":"10s"}}""", "Invalid check: Interval cannot be set for Alias checks")]
    [InlineData("""{"Name":"x","Checks":[{"TTL":"10s","Status":"bogus"},{"HTTP":"http://127.0.0.1:1/"}]}""", "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks")]
    [InlineData("""{"Name":"x","Check":{"TTL":"10s","Status":"bogus"}}""", "Status for checks must 'passing', 'warning', 'critical'")]
    public async Task InvalidBody_Returns400WithConsulText(string body, string expected)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", body.Replace("\"x\"", $"\"{consul.Name("x")}\"", StringComparison.Ordinal));
        Assert.Equal(400, reply.Status);
        Assert.Equal(expected, reply.Text);
    }

    [Fact]
    public async Task Register_ReturnsEmpty200AndIsVisibleAtOnce()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        var reply = await consul.PutAsync("/v1/agent/service/register", $$$$"""{"Name":"{{{{name}}}}","Port":8080}""");
        Assert.Equal(200, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
        var health = await consul.GetAsync($"/v1/health/service/{name}");
        Assert.Single(health.Json.AsArray());
    }

    [Fact]
    public async Task Register_NullCheckAndChecks_Accepted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", $$$$"""{"Name":"{{{{consul.Name("web")}}}}","Check":null,"Checks":null}""");
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Register_Defaults_IdIsNameWeightsOneTaggedAddressesFromIpv4()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Address":"10.0.0.5"}""");
        var service = (await consul.GetAsync($"/v1/agent/service/{name}")).Json;
        Assert.Equal(name, service["ID"]!.GetValue<string>());
        Assert.Equal(1, service["Weights"]!["Passing"]!.GetValue<int>());
        Assert.Equal(1, service["Weights"]!["Warning"]!.GetValue<int>());
        Assert.Equal("10.0.0.5", service["TaggedAddresses"]!["lan_ipv4"]!["Address"]!.GetValue<string>());
        Assert.Equal(8080, service["TaggedAddresses"]!["wan_ipv4"]!["Port"]!.GetValue<int>());
        Assert.Empty(service["Tags"]!.AsArray());
        Assert.Empty(service["Meta"]!.AsObject());
    }

    [Fact]
    public async Task Register_HostnameAddress_AddsNoTaggedAddresses()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Address":"web.internal"}""");
        var service = (await consul.GetAsync($"/v1/agent/service/{name}")).Json;
        Assert.Null(service["TaggedAddresses"]);
    }

    [Fact]
    public async Task Register_SingleCheckWithoutId_GetsServiceIdCheckIdAndDefaultName()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s"}}""");
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"service:{name}"];
        Assert.NotNull(check);
        Assert.Equal($"Service '{name}' check", check["Name"]!.GetValue<string>());
        Assert.Equal("critical", check["Status"]!.GetValue<string>());
        Assert.Equal("ttl", check["Type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Register_SeveralChecksWithoutIds_AreNumberedFromOne()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"TTL":"30s"},"Checks":[{"TTL":"30s"}]}""");
        var checks = (await consul.GetAsync("/v1/agent/checks")).Json.AsObject();
        Assert.True(checks.ContainsKey($"service:{name}:1"));
        Assert.True(checks.ContainsKey($"service:{name}:2"));
    }

    [Fact]
    public async Task Register_GivenStatus_IsInitialStatus()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s","Status":"passing"}}""");
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal("passing", check["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReRegister_ReplacesServiceWholesale()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":80,"Tags":["a"],"Meta":{"k":"v"}}""");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}"}""");
        var service = (await consul.GetAsync($"/v1/agent/service/{name}")).Json;
        Assert.Equal(0, service["Port"]!.GetValue<int>());
        Assert.Empty(service["Tags"]!.AsArray());
        Assert.Empty(service["Meta"]!.AsObject());
    }

    [Fact]
    public async Task ReRegister_KeepsStatusOfListedChecks()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        var body = $$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""";
        await consul.RegisterAsync(body);
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/check/pass/{name}-c?note=fine")).Status);
        await consul.RegisterAsync(body);
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal("passing", check["Status"]!.GetValue<string>());
        Assert.Equal("fine", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReRegister_KeepsUnlistedChecksUnlessReplaceExistingChecks()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Checks":[{"CheckID":"{{{{name}}}}-a","TTL":"30s"},{"CheckID":"{{{{name}}}}-b","TTL":"30s"}]}""");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Checks":[{"CheckID":"{{{{name}}}}-a","TTL":"30s"}]}""");
        Assert.NotNull((await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-b"]);

        var reply = await consul.PutAsync("/v1/agent/service/register?replace-existing-checks",
            $$$$"""{"Name":"{{{{name}}}}","Checks":[{"CheckID":"{{{{name}}}}-a","TTL":"30s"}]}""");
        Assert.Equal(200, reply.Status);
        var checks = (await consul.GetAsync("/v1/agent/checks")).Json.AsObject();
        Assert.False(checks.ContainsKey($"{name}-b"));
        Assert.True(checks.ContainsKey($"{name}-a"));
    }

    [Fact]
    public async Task ScriptCheck_Returns500WhenScriptsDisabled()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register",
            $$$$"""{"Name":"{{{{consul.Name("web")}}}}","Check":{"Args":["true"],"Interval":"10s"}}""");
        Assert.Equal(500, reply.Status);
        Assert.StartsWith("Scripts are disabled on this agent", reply.Text);
    }

    [Fact]
    public async Task Register_WorkedExample_MatchesAgentServicesShape()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("web-1");
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""
            {"ID":"{{{{id}}}}","Name":"{{{{name}}}}","Tags":["v1"],"Port":8080,"Address":"10.0.0.5","Meta":{"ver":"1"},
             "Check":{"CheckID":"{{{{id}}}}-http","Name":"web http","Interval":"10s","Timeout":"2s","HTTP":"http://127.0.0.1:1/health",
                      "Method":"GET","Header":{"X-Probe":["1"]},"TLSSkipVerify":true,"DeregisterCriticalServiceAfter":"1m"},
             "Checks":null}
            """);
        var service = (await consul.GetAsync("/v1/agent/services")).Json[id]!.AsObject();
        Assert.Equal(["ID", "Service", "Tags", "Meta", "Port", "Address", "TaggedAddresses", "Weights", "EnableTagOverride", "Datacenter"],
            service.Select(p => p.Key).Where(k => k is not ("Kind" or "SocketPath" or "ContentHash" or "Locality" or "CreateIndex" or "ModifyIndex")).ToArray());
        Assert.Equal("dc1", service["Datacenter"]!.GetValue<string>());

        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{id}-http"]!.AsObject();
        Assert.Equal("2s", check["Timeout"]!.GetValue<string>());
        Assert.Equal("10s", check["Interval"]!.GetValue<string>());
        Assert.Equal(id, check["ServiceID"]!.GetValue<string>());
        Assert.Equal(name, check["ServiceName"]!.GetValue<string>());
        Assert.Equal(["v1"], check["ServiceTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.IsType<JsonObject>(check["Definition"]);
    }
}
