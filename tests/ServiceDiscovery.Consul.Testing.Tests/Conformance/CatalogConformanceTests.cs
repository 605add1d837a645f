// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §7: catalog services and service.</summary>
public sealed class CatalogConformanceTests
{
    [Fact]
    public async Task Services_AlwaysListsConsulWithNoTags()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/catalog/services");
        Assert.Equal(200, reply.Status);
        Assert.Empty(reply.Json["consul"]!.AsArray());
        Assert.True(reply.Index >= 1);
    }

    [Fact]
    public async Task Services_MapsNameToDeduplicatedTags()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("pg");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Tags":["primary"]}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Tags":["secondary","primary"]}""");
        var tags = (await consul.GetAsync("/v1/catalog/services")).Json[name]!.AsArray().Select(t => t!.GetValue<string>()).Order().ToList();
        Assert.Equal(["primary", "secondary"], tags);
    }

    [Fact]
    public async Task Service_UnknownReturnsEmptyArray_EmptyNameReturns400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        Assert.Empty((await consul.GetAsync($"/v1/catalog/service/{consul.Name("nope")}")).Json.AsArray());
        var reply = await consul.GetAsync("/v1/catalog/service/");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Missing service name", reply.Text);
    }

    [Fact]
    public async Task Service_ElementHasServiceNodeFields()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Port":8080,"Tags":["v1"]}""");
        var element = (await consul.GetAsync($"/v1/catalog/service/{name}")).Json.AsArray().Single()!;
        Assert.Equal(name, element["ServiceName"]!.GetValue<string>());
        Assert.Equal(name, element["ServiceID"]!.GetValue<string>());
        Assert.Equal(8080, element["ServicePort"]!.GetValue<int>());
        Assert.Equal(string.Empty, element["ServiceAddress"]!.GetValue<string>());
        Assert.Equal(["v1"], element["ServiceTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(element["Address"]!.GetValue<string>()));
        Assert.NotNull(element["ServiceWeights"]);
        Assert.True(element["ModifyIndex"]!.GetValue<ulong>() >= element["CreateIndex"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task Service_TagFilter_IsCaseInsensitive()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}","Tags":["Blue"]}""");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}","Tags":["red"]}""");
        var reply = await consul.GetAsync($"/v1/catalog/service/{name}?tag=blue");
        Assert.Equal([$"{name}-1"], reply.Json.AsArray().Select(e => e!["ServiceID"]!.GetValue<string>()));
    }
}
