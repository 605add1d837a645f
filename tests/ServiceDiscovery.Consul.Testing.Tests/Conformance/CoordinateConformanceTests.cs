// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>Network coordinates (agent/coordinate_endpoint.go) as a single dev agent serves them.</summary>
public sealed class CoordinateConformanceTests
{
    [Fact]
    public async Task Datacenters_HoldsTheServerByNodeName_WithoutTheDatacenterSuffix()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var config = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!;
        var (node, dc) = (config["NodeName"]!.GetValue<string>(), config["Datacenter"]!.GetValue<string>());
        var area = (await consul.GetAsync("/v1/coordinate/datacenters")).Json.AsArray().Single(a => a!["Datacenter"]!.GetValue<string>() == dc)!;
        Assert.Equal("wan", area["AreaID"]!.GetValue<string>());
        var entry = area["Coordinates"]!.AsArray().Single(c => c!["Node"]!.GetValue<string>() == node)!;
        AssertVivaldi(entry["Coord"]!);
    }

    [Fact]
    public async Task Nodes_HoldTheAgentNode_UnknownNodeIs404WithNoBody()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["NodeName"]!.GetValue<string>();
        var nodes = await Eventually.UntilAsync(
            () => consul.GetAsync("/v1/coordinate/nodes"),
            reply => reply.Json.AsArray().Any(c => c!["Node"]!.GetValue<string>() == node),
            TimeSpan.FromSeconds(60));
        var own = nodes.Json.AsArray().First(c => c!["Node"]!.GetValue<string>() == node)!;
        Assert.Equal(string.Empty, own["Segment"]!.GetValue<string>());
        AssertVivaldi(own["Coord"]!);
        Assert.True(nodes.Index >= 1);

        var single = await consul.GetAsync($"/v1/coordinate/node/{node}");
        Assert.Equal(node, single.Json.AsArray().Single()!["Node"]!.GetValue<string>());

        var unknown = await consul.GetAsync($"/v1/coordinate/node/{consul.Name("none")}");
        Assert.Equal((404, string.Empty), (unknown.Status, unknown.Text));
    }

    [Fact]
    public async Task Update_StoresTheCoordinateOfACatalogNode()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var ext = consul.Name("ext");
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{ext}}}","Address":"10.0.0.12"}""");
        var reply = await consul.PutAsync("/v1/coordinate/update",
            $$$"""{"Node":"{{{ext}}}","Coord":{"Vec":[0.001,0,0,0,0,0,0,0],"Error":0.5,"Adjustment":0,"Height":0.0002}}""");
        Assert.Equal((200, string.Empty), (reply.Status, reply.Text));
        var stored = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/coordinate/node/{ext}"), r => r.Status == 200, TimeSpan.FromSeconds(30));
        var coord = stored.Json.AsArray().Single()!["Coord"]!;
        Assert.Equal(0.001, coord["Vec"]![0]!.GetValue<double>());
        Assert.Equal(0.5, coord["Error"]!.GetValue<double>());

        var wrongSize = await consul.PutAsync("/v1/coordinate/update", $$$"""{"Node":"{{{ext}}}","Coord":{"Vec":[0,0],"Error":1.5,"Height":0.00001}}""");
        Assert.Equal((500, "incompatible coordinate"), (wrongSize.Status, wrongSize.Text));
        var unknownField = await consul.PutAsync("/v1/coordinate/update", """{"Nope":1}""");
        Assert.Equal((400, "Request decode failed: json: unknown field \"Nope\""), (unknownField.Status, unknownField.Text));
    }

    private static void AssertVivaldi(JsonNode coord)
    {
        Assert.Equal(8, coord["Vec"]!.AsArray().Count);
        Assert.True(coord["Error"]!.GetValue<double>() > 0);
        Assert.NotNull(coord["Adjustment"]);
        Assert.True(coord["Height"]!.GetValue<double>() > 0);
    }
}
