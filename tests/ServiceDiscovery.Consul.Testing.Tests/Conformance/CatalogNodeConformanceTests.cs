// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §7: datacenters, nodes, node and node-services.</summary>
public sealed class CatalogNodeConformanceTests
{
    [Fact]
    public async Task Datacenters_ListsTheAgentsDatacenter()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var dc = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["Datacenter"]!.GetValue<string>();
        var reply = await consul.GetAsync("/v1/catalog/datacenters");
        Assert.Equal(200, reply.Status);
        Assert.Contains(dc, reply.Json.AsArray().Select(d => d!.GetValue<string>()));
    }

    [Fact]
    public async Task Nodes_ListsTheAgentNode_WithNodeMetaAndFilterAndNear()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var self = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["NodeName"]!.GetValue<string>();
        var ext = consul.Name("ext");
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.4","NodeMeta":{"role":"{{{ext}}}"}}""");

        var nodes = (await consul.GetAsync("/v1/catalog/nodes?near=_agent")).Json.AsArray();
        Assert.Equal(self, nodes[0]!["Node"]!.GetValue<string>());
        var agentNode = nodes[0]!;
        Assert.Equal(agentNode["Address"]!.GetValue<string>(), agentNode["TaggedAddresses"]!["lan"]!.GetValue<string>());
        Assert.NotNull(agentNode["Meta"]!["consul-version"]);

        var byMeta = (await consul.GetAsync($"/v1/catalog/nodes?node-meta=role:{ext}")).Json.AsArray();
        Assert.Equal([ext], byMeta.Select(n => n!["Node"]!.GetValue<string>()));
        var byFilter = (await consul.GetAsync("/v1/catalog/nodes?filter=" + Uri.EscapeDataString($"Node == \"{ext}\""))).Json.AsArray();
        Assert.Equal([ext], byFilter.Select(n => n!["Node"]!.GetValue<string>()));
        var bad = await consul.GetAsync("/v1/catalog/nodes?filter=" + Uri.EscapeDataString("Nope == 1"));
        Assert.Equal(500, bad.Status);
    }

    [Fact]
    public async Task Node_MapsServicesById_UnknownIsNull()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (ext, svc) = (consul.Name("ext"), consul.Name("cache"));
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.6","Service":{"ID":"{{{svc}}}-1","Service":"{{{svc}}}"}}""");
        var reply = await consul.GetAsync($"/v1/catalog/node/{ext}");
        Assert.Equal(ext, reply.Json["Node"]!["Node"]!.GetValue<string>());
        Assert.Equal(svc, reply.Json["Services"]![$"{svc}-1"]!["Service"]!.GetValue<string>());
        Assert.Empty(reply.Json["Services"]![$"{svc}-1"]!["Tags"]!.AsArray());
        Assert.True(reply.Index >= 1);

        var unknown = await consul.GetAsync($"/v1/catalog/node/{consul.Name("none")}");
        Assert.Equal((200, "null"), (unknown.Status, unknown.Text.Trim()));
        var empty = await consul.GetAsync("/v1/catalog/node/");
        Assert.Equal((400, "Missing node name"), (empty.Status, empty.Text));
    }

    [Fact]
    public async Task NodeServices_ListsServices_UnknownNodeHasNullFields()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (ext, svc) = (consul.Name("ext"), consul.Name("queue"));
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.7","Service":{"Service":"{{{svc}}}","Port":5672}}""");
        var reply = (await consul.GetAsync($"/v1/catalog/node-services/{ext}")).Json;
        Assert.Equal(ext, reply["Node"]!["Node"]!.GetValue<string>());
        Assert.Equal(5672, reply["Services"]!.AsArray().Single()!["Port"]!.GetValue<int>());

        var unknown = (await consul.GetAsync($"/v1/catalog/node-services/{consul.Name("none")}")).Json;
        Assert.Null(unknown["Node"]);
        Assert.Null(unknown["Services"]);
    }

    [Fact]
    public async Task NodeBlocking_WakesOnAServiceWriteToThatNode()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (ext, svc) = (consul.Name("ext"), consul.Name("late"));
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.8"}""");
        var index = (await consul.GetAsync($"/v1/catalog/node/{ext}")).Index;
        var blocked = consul.GetAsync($"/v1/catalog/node/{ext}?index={index}&wait=20s");
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.8","Service":{"Service":"{{{svc}}}"}}""");
        var woke = await blocked;
        Assert.True(woke.Index > index);
        Assert.NotNull(woke.Json["Services"]![svc]);
    }

    [Fact]
    public async Task Namespace_IsAnEnterpriseFeature()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/catalog/services?ns=team");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature", reply.Text);
    }
}
