// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md: user events (agent/event_endpoint.go, api/event.go).</summary>
public sealed class EventConformanceTests
{
    [Fact]
    public async Task Fire_AnswersTheUserEvent()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("deploy");
        var reply = await consul.PutAsync($"/v1/event/fire/{name}?node=.*", "v42");
        Assert.Equal(200, reply.Status);
        var e = reply.Json;
        Assert.True(Guid.TryParse(e["ID"]!.GetValue<string>(), out _));
        Assert.Equal(name, e["Name"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String("v42"u8.ToArray()), e["Payload"]!.GetValue<string>());
        Assert.Equal(".*", e["NodeFilter"]!.GetValue<string>());
        Assert.Equal(string.Empty, e["ServiceFilter"]!.GetValue<string>());
        Assert.Equal(string.Empty, e["TagFilter"]!.GetValue<string>());
        Assert.Equal(1, e["Version"]!.GetValue<int>());
        Assert.Equal(0UL, e["LTime"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task Fire_Errors()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var missing = await consul.PutAsync("/v1/event/fire/");
        Assert.Equal((400, "Missing name"), (missing.Status, missing.Text));
        var tagOnly = await consul.PutAsync($"/v1/event/fire/{consul.Name("e")}?tag=v1");
        Assert.Equal((500, "Cannot provide tag filter without service filter"), (tagOnly.Status, tagOnly.Text));
        var badRegex = await consul.PutAsync($"/v1/event/fire/{consul.Name("e")}?node=" + Uri.EscapeDataString("("));
        Assert.Equal(500, badRegex.Status);
        Assert.StartsWith("Invalid node filter: ", badRegex.Text, StringComparison.Ordinal);
        var big = await consul.PutAsync($"/v1/event/fire/{consul.Name("e")}", new string('x', 600));
        Assert.Equal((500, "user event exceeds configured limit of 512 bytes before encoding"), (big.Status, big.Text));
        var get = await consul.GetAsync($"/v1/event/fire/{consul.Name("e")}");
        Assert.Equal(405, get.Status);
    }

    [Fact]
    public async Task List_ShowsReceivedEvents_IndexIsTheLastIdsHash()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("rollout");
        var empty = await consul.GetAsync($"/v1/event/list?name={name}");
        Assert.Equal((200, 1UL), (empty.Status, empty.Index));
        Assert.Empty(empty.Json.AsArray());

        var fired = (await consul.PutAsync($"/v1/event/fire/{name}")).Json;
        var id = fired["ID"]!.GetValue<string>();
        var list = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/event/list?name={name}"), reply => reply.Json.AsArray().Count == 1);
        var e = list.Json.AsArray().Single()!;
        Assert.Equal(id, e["ID"]!.GetValue<string>());
        Assert.Null(e["Payload"]);
        Assert.True(e["LTime"]!.GetValue<ulong>() >= 1);
        Assert.Equal(IdToIndex(id), list.Index);
    }

    [Fact]
    public async Task List_BlocksWhileTheIndexIsUnchanged()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("wake");
        var index = (await consul.GetAsync($"/v1/event/list?name={name}")).Index;
        var blocked = consul.GetAsync($"/v1/event/list?name={name}&index={index}&wait=20s");
        var id = (await consul.PutAsync($"/v1/event/fire/{name}")).Json["ID"]!.GetValue<string>();
        var woke = await blocked;
        Assert.Equal(IdToIndex(id), woke.Index);
        Assert.Equal(id, woke.Json.AsArray().Single()!["ID"]!.GetValue<string>());
    }

    [Fact]
    public async Task Events_FilteredToAnotherNode_AreNotKeptByThisAgent()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("elsewhere");
        await consul.PutAsync($"/v1/event/fire/{name}?node=^no-such-node$");
        var service = consul.Name("svc");
        await consul.RegisterAsync($$$"""{"Name":"{{{service}}}","Tags":["blue"]}""");
        await consul.PutAsync($"/v1/event/fire/{name}?service={service}&tag=blue", "x");
        var list = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/event/list?name={name}"), reply => reply.Json.AsArray().Count >= 1);
        Assert.Equal([service], list.Json.AsArray().Select(e => e!["ServiceFilter"]!.GetValue<string>()));
    }

    /// <summary>api/event.go IDToIndex, restated.</summary>
    private static ulong IdToIndex(string id) =>
        ulong.Parse(id[..8] + id[9..13] + id[14..18], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        ^ ulong.Parse(id[19..23] + id[24..36], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
