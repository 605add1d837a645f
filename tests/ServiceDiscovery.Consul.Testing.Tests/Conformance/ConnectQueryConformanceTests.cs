// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md §6 and §7: <c>/v1/health/connect/:service</c> and <c>/v1/catalog/connect/:service</c>
/// (a service's proxies and Connect-native instances), <c>/v1/health/ingress/:service</c> without gateways, and
/// <c>Locality</c> on a service registration.
/// </summary>
public sealed class ConnectQueryConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HealthAndCatalogConnect_ReturnProxiesAndNativeInstances_NotTheServiceItself()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{web}}}}-plain","Name":"{{{{web}}}}","Port":8080}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{web}}}}-native","Name":"{{{{web}}}}","Port":8081,"Connect":{"Native":true}}""");
        await consul.RegisterAsync($$$$"""
            {"ID":"{{{{web}}}}-proxy","Name":"{{{{web}}}}-proxy","Kind":"connect-proxy","Port":21000,
             "Proxy":{"DestinationServiceName":"{{{{web}}}}"}}
            """);

        var health = await consul.GetAsync($"/v1/health/connect/{web}");
        Assert.Equal(200, health.Status);
        Assert.Equal([web + "-native", web + "-proxy"], health.Json.AsArray().Select(e => (string)e!["Service"]!["ID"]!).Order(StringComparer.Ordinal));
        Assert.All(health.Json.AsArray(), e => Assert.Contains(e!["Checks"]!.AsArray(), c => (string)c!["CheckID"]! == "serfHealth"));
        Assert.True(health.Index > 0);

        var catalog = await consul.GetAsync($"/v1/catalog/connect/{web}");
        Assert.Equal(200, catalog.Status);
        Assert.Equal([web + "-native", web + "-proxy"], catalog.Json.AsArray().Select(e => (string)e!["ServiceID"]!).Order(StringComparer.Ordinal));
        var proxy = catalog.Json.AsArray().Single(e => (string)e!["ServiceKind"]! == "connect-proxy")!;
        Assert.Equal(web, (string)proxy["ServiceProxy"]!["DestinationServiceName"]!);
    }

    [Fact]
    public async Task Connect_UnknownService_EmptyArray()
    {
        await using var consul = await ConsulTarget.StartAsync();
        foreach (var path in (string[])["/v1/health/connect/", "/v1/catalog/connect/", "/v1/health/ingress/"])
        {
            var reply = await consul.GetAsync(path + consul.Name("nothing"));
            Assert.Equal(200, reply.Status);
            Assert.Equal("[]", reply.Text.Trim());
            Assert.NotNull(reply.Header("X-Consul-Index"));
        }
    }

    [Fact]
    public async Task HealthIngress_WithoutGateways_Empty()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{web}}}}","Port":8080}""");
        var reply = await consul.GetAsync($"/v1/health/ingress/{web}");
        Assert.Equal(200, reply.Status);
        Assert.Equal("[]", reply.Text.Trim());
    }

    [Fact]
    public async Task HealthConnect_BlocksUntilAProxyRegisters()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{web}}}}","Port":8080}""");
        var first = await consul.GetAsync($"/v1/health/connect/{web}");
        var blocked = consul.GetAsync($"/v1/health/connect/{web}?index={first.Index}&wait=30s");

        await consul.RegisterAsync($$$$"""
            {"Name":"{{{{web}}}}-sidecar-proxy","Kind":"connect-proxy","Port":21000,"Proxy":{"DestinationServiceName":"{{{{web}}}}"}}
            """);
        var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(woken.Index > first.Index);
        Assert.Single(woken.Json.AsArray());
    }

    [Fact]
    public async Task Locality_KeptAndReturnedInAgentCatalogAndHealth()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{web}}}}","Port":8080,"Locality":{"Region":"us-west-1","Zone":"us-west-1a"}}""");

        var agent = (await consul.GetAsync($"/v1/agent/service/{web}")).Json;
        Assert.Equal("us-west-1", (string)agent["Locality"]!["Region"]!);
        Assert.Equal("us-west-1a", (string)agent["Locality"]!["Zone"]!);
        var catalog = (await consul.GetAsync($"/v1/catalog/service/{web}")).Json[0]!;
        Assert.Equal("us-west-1", (string)catalog["ServiceLocality"]!["Region"]!);
        var health = (await consul.GetAsync($"/v1/health/service/{web}")).Json[0]!["Service"]!;
        Assert.Equal("us-west-1a", (string)health["Locality"]!["Zone"]!);
    }

    [Fact]
    public async Task Locality_AbsentIsOmitted_ServiceLocalityNull()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{web}}}}","Port":8080}""");

        Assert.False((await consul.GetAsync($"/v1/agent/service/{web}")).Json.AsObject().ContainsKey("Locality"));
        Assert.False((await consul.GetAsync($"/v1/health/service/{web}")).Json[0]!["Service"]!.AsObject().ContainsKey("Locality"));
        var catalog = (await consul.GetAsync($"/v1/catalog/service/{web}")).Json[0]!.AsObject();
        Assert.True(catalog.ContainsKey("ServiceLocality"));
        Assert.Null(catalog["ServiceLocality"]);
    }
}
