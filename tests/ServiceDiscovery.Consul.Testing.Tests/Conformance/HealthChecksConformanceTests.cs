// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §6: health by node, by service's checks, and by state.</summary>
public sealed class HealthChecksConformanceTests
{
    [Fact]
    public async Task Node_ListsSerfHealthOfTheAgentNode_UnknownNodeIsEmpty_EmptyNameIs400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["NodeName"]!.GetValue<string>();
        var checks = (await consul.GetAsync($"/v1/health/node/{self}")).Json.AsArray();
        var serf = checks.Single(c => c!["CheckID"]!.GetValue<string>() == "serfHealth")!;
        Assert.Equal("passing", serf["Status"]!.GetValue<string>());
        Assert.Empty(serf["ServiceTags"]!.AsArray());

        Assert.Empty((await consul.GetAsync($"/v1/health/node/{consul.Name("none")}")).Json.AsArray());
        var empty = await consul.GetAsync("/v1/health/node/");
        Assert.Equal((400, "Missing node name"), (empty.Status, empty.Text));
    }

    [Fact]
    public async Task Checks_ListsTheServiceChecksOnly()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$"""{"Name":"{{{name}}}","Checks":[{"CheckID":"{{{name}}}-a","TTL":"30s"},{"CheckID":"{{{name}}}-b","TTL":"30s","Status":"passing"}]}""");
        var checks = (await consul.GetAsync($"/v1/health/checks/{name}")).Json.AsArray();
        Assert.Equal([$"{name}-a", $"{name}-b"], checks.Select(c => c!["CheckID"]!.GetValue<string>()).Order());
        var filtered = (await consul.GetAsync($"/v1/health/checks/{name}?filter=" + Uri.EscapeDataString("Status == passing"))).Json.AsArray();
        Assert.Equal([$"{name}-b"], filtered.Select(c => c!["CheckID"]!.GetValue<string>()));
        var empty = await consul.GetAsync("/v1/health/checks/");
        Assert.Equal((400, "Missing service name"), (empty.Status, empty.Text));
    }

    [Fact]
    public async Task State_FiltersByStatus_AnyListsAll_UnknownStateMatchesNothing()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("svc");
        await consul.RegisterAsync($$$"""{"Name":"{{{name}}}","Check":{"CheckID":"{{{name}}}-w","TTL":"30s","Status":"warning"}}""");
        string[] Ids(Reply reply) => [.. reply.Json.AsArray().Select(c => c!["CheckID"]!.GetValue<string>())];
        Assert.Contains($"{name}-w", Ids(await consul.GetAsync("/v1/health/state/warning")));
        Assert.DoesNotContain($"{name}-w", Ids(await consul.GetAsync("/v1/health/state/passing")));
        var any = Ids(await consul.GetAsync("/v1/health/state/any"));
        Assert.Contains($"{name}-w", any);
        Assert.Contains("serfHealth", any);

        var bogus = await consul.GetAsync("/v1/health/state/bogus");
        Assert.Equal(200, bogus.Status);
        Assert.Empty(bogus.Json.AsArray());
        var empty = await consul.GetAsync("/v1/health/state/");
        Assert.Equal((400, "Missing check state"), (empty.Status, empty.Text));
    }

    [Fact]
    public async Task StateAny_IndexMovesOnEveryCheckOrServiceChange_AndBlocksUntilThen()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("watch");
        var start = (await consul.GetAsync("/v1/health/state/any")).Index;
        await consul.RegisterAsync($$$"""{"Name":"{{{name}}}","Check":{"CheckID":"{{{name}}}-ttl","TTL":"30s"}}""");
        var registered = (await consul.GetAsync("/v1/health/state/any")).Index;
        Assert.True(registered > start);

        var blocked = consul.GetAsync($"/v1/health/state/any?index={registered}&wait=20s");
        await consul.PutAsync($"/v1/agent/check/pass/{name}-ttl");
        var woke = await blocked;
        Assert.True(woke.Index > registered);
        Assert.Equal("passing", woke.Json.AsArray().Single(c => c!["CheckID"]!.GetValue<string>() == $"{name}-ttl")!["Status"]!.GetValue<string>());

        await consul.PutAsync($"/v1/agent/service/deregister/{name}");
        var removed = (await consul.GetAsync("/v1/health/state/any")).Index;
        Assert.True(removed > woke.Index);
        Assert.True((await consul.GetAsync("/v1/catalog/services")).Index <= removed);
    }

    [Fact]
    public async Task State_HonoursNodeMeta()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = consul.Name("ext");
        await consul.PutAsync("/v1/catalog/register",
            $$$"""{"Node":"{{{node}}}","Address":"10.0.0.3","NodeMeta":{"zone":"{{{node}}}"},"Check":{"CheckID":"n1","Name":"n1","Status":"critical"}}""");
        var reply = await consul.GetAsync($"/v1/health/state/critical?node-meta=zone:{node}");
        Assert.Equal([node], reply.Json.AsArray().Select(c => c!["Node"]!.GetValue<string>()));
    }
}
