// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §1 and §4: Kind, Proxy, Connect and sidecar registrations.</summary>
public sealed class ConnectRegistrationConformanceTests
{
    [Fact]
    public async Task ConnectProxy_RoundTripsProxyInAgentCatalogAndHealth()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web-proxy");
        await consul.RegisterAsync($$$$"""
            {"Name":"{{{{name}}}}","Kind":"connect-proxy","Port":21500,
             "Proxy":{"DestinationServiceName":"web","DestinationServiceID":"web-1","LocalServiceAddress":"127.0.0.1",
                      "LocalServicePort":8080,"Upstreams":[{"DestinationName":"db","LocalBindPort":9191}]}}
            """);

        var agent = (await consul.GetAsync($"/v1/agent/service/{name}")).Json;
        Assert.Equal("connect-proxy", agent["Kind"]!.GetValue<string>());
        var proxy = agent["Proxy"]!;
        Assert.Equal("web", proxy["DestinationServiceName"]!.GetValue<string>());
        Assert.Equal("web-1", proxy["DestinationServiceID"]!.GetValue<string>());
        Assert.Equal(8080, proxy["LocalServicePort"]!.GetValue<int>());
        Assert.Equal("service", proxy["Upstreams"]![0]!["DestinationType"]!.GetValue<string>());
        Assert.Equal(9191, proxy["Upstreams"]![0]!["LocalBindPort"]!.GetValue<int>());
        Assert.NotNull(proxy["MeshGateway"]);
        Assert.NotNull(proxy["Expose"]);

        var catalog = (await consul.GetAsync($"/v1/catalog/service/{name}")).Json[0]!;
        Assert.Equal("connect-proxy", catalog["ServiceKind"]!.GetValue<string>());
        Assert.Equal("web", catalog["ServiceProxy"]!["DestinationServiceName"]!.GetValue<string>());
        var health = (await consul.GetAsync($"/v1/health/service/{name}")).Json[0]!["Service"]!;
        Assert.Equal("web-1", health["Proxy"]!["DestinationServiceID"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConnectProxy_WithoutDestinationOrPort_Returns400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register",
            $$$"""{"Name":"{{{consul.Name("p")}}}","Kind":"connect-proxy"}""");
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Validation failed: ", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Proxy.DestinationServiceName must be non-empty for Connect proxy services", reply.Text, StringComparison.Ordinal);
        Assert.Contains("Port must be set for a Connect proxy", reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectNative_IsReturnedInAgentAndCatalog()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("native");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Connect":{"Native":true}}""");
        Assert.True((await consul.GetAsync($"/v1/agent/service/{name}")).Json["Connect"]!["Native"]!.GetValue<bool>());
        var catalog = (await consul.GetAsync($"/v1/catalog/service/{name}")).Json[0]!;
        Assert.True(catalog["ServiceConnect"]!["Native"]!.GetValue<bool>());
    }

    [Fact]
    public async Task SidecarService_RegistersProxyWithDefaultsAndIsRemovedWithParent()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Connect":{"SidecarService":{}}}""");

        var sidecarId = name + "-sidecar-proxy";
        var sidecar = (await consul.GetAsync($"/v1/agent/service/{sidecarId}")).Json;
        Assert.Equal("connect-proxy", sidecar["Kind"]!.GetValue<string>());
        Assert.Equal(name + "-sidecar-proxy", sidecar["Service"]!.GetValue<string>());
        Assert.InRange(sidecar["Port"]!.GetValue<int>(), 21000, 21255);
        var proxy = sidecar["Proxy"]!;
        Assert.Equal(name, proxy["DestinationServiceName"]!.GetValue<string>());
        Assert.Equal(name, proxy["DestinationServiceID"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", proxy["LocalServiceAddress"]!.GetValue<string>());
        Assert.Equal(8080, proxy["LocalServicePort"]!.GetValue<int>());

        var checks = (await consul.GetAsync("/v1/agent/checks")).Json.AsObject()
            .Where(p => p.Value!["ServiceID"]!.GetValue<string>() == sidecarId)
            .Select(p => p.Value!["Name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["Connect Sidecar Aliasing " + name, "Connect Sidecar Listening"], checks);

        await consul.PutAsync($"/v1/agent/service/deregister/{name}");
        Assert.False((await consul.GetAsync("/v1/agent/services")).Json.AsObject().ContainsKey(sidecarId));
    }
}
