// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md: /v1/session/* (create defaults, validation texts, destroy, renew, reads, blocking).</summary>
public sealed class SessionConformanceTests
{
    [Fact]
    public async Task Create_Defaults_AsInfoShowsThem()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync();
        var info = await consul.GetAsync($"/v1/session/info/{id}");
        Assert.Equal(200, info.Status);
        var s = info.Json.AsArray().Single()!.AsObject();
        Assert.Equal(
            ["ID", "Name", "Node", "LockDelay", "Behavior", "TTL", "NodeChecks", "ServiceChecks", "CreateIndex", "ModifyIndex"],
            s.Select(p => p.Key));
        Assert.Equal(id, s["ID"]!.GetValue<string>());
        Assert.Equal(string.Empty, s["Name"]!.GetValue<string>());
        Assert.Equal(await consul.NodeNameAsync(), s["Node"]!.GetValue<string>());
        Assert.Equal(15_000_000_000L, s["LockDelay"]!.GetValue<long>());
        Assert.Equal("release", s["Behavior"]!.GetValue<string>());
        Assert.Equal(string.Empty, s["TTL"]!.GetValue<string>());
        Assert.Equal(["serfHealth"], s["NodeChecks"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Null(s["ServiceChecks"]);
        Assert.Equal(s["CreateIndex"]!.GetValue<ulong>(), s["ModifyIndex"]!.GetValue<ulong>());
        Assert.True(info.Index >= s["CreateIndex"]!.GetValue<ulong>());
    }

    [Theory]
    [InlineData("\"30s\"", 30_000_000_000L)]
    [InlineData("5", 5_000_000_000L)]
    [InlineData("\"500ms\"", 500_000_000L)]
    [InlineData("2000000000", 2_000_000_000L)]
    [InlineData("\"1ns\"", 1_000_000_000L)]
    [InlineData("\"999ns\"", 999_000_000_000L)]
    [InlineData("\"1us\"", 1_000L)]
    public async Task Create_LockDelay_DurationOrNumberBelow1000IsSeconds(string json, long nanos)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync($$"""{"Name":"n","lockdelay":{{json}},"Unknown":1}""");
        var s = (await consul.GetAsync($"/v1/session/info/{id}")).Json[0]!;
        Assert.Equal(nanos, s["LockDelay"]!.GetValue<long>());
        Assert.Equal("n", s["Name"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""{"TTL":"5s"}""", "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"25h"}""", "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"1ns"}""", "Invalid Session TTL '1', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"9.999999999s"}""", "Invalid Session TTL '9999999999', must be between [10s=24h0m0s]")]
    [InlineData("""{"TTL":"abc"}""", "Session TTL 'abc' invalid: time: invalid duration \"abc\"")]
    [InlineData("""{"Behavior":"keep"}""", "Invalid Behavior setting 'keep'")]
    [InlineData("""{"Node":"no-such-node"}""", "Missing node registration")]
    [InlineData("""{"NodeChecks":["no-such-check"]}""", "Missing check 'no-such-check' registration")]
    public async Task Create_Invalid_Returns500WithConsulText(string body, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/session/create", body);
        Assert.Equal(500, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task Create_BadLockDelay_Returns400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/session/create", """{"LockDelay":"soon"}""");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Request decode failed: time: invalid duration \"soon\"", reply.Text);
    }

    [Fact]
    public async Task Create_TiedToCriticalCheck_Refused()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$"""{"Name":"{{{web}}}","Check":{"CheckID":"{{{web}}}-ttl","TTL":"30s"}}""");
        var reply = await consul.PutAsync("/v1/session/create", $$"""{"ServiceChecks":[{"ID":"{{web}}-ttl"}]}""");
        Assert.Equal(500, reply.Status);
        Assert.Equal($"Check '{web}-ttl' is in critical state", reply.Text);
    }

    [Fact]
    public async Task Create_EmptyChecks_TiesNoCheck()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync("""{"Checks":[]}""");
        var s = (await consul.GetAsync($"/v1/session/info/{id}")).Json[0]!;
        Assert.Empty(s["NodeChecks"]!.AsArray());
        Assert.Null(s.AsObject()["Checks"]);
    }

    [Fact]
    public async Task Destroy_ReturnsTrue_InfoEmpty_UnknownAlsoTrue()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync();
        var destroy = await consul.PutAsync($"/v1/session/destroy/{id}");
        Assert.Equal(200, destroy.Status);
        Assert.True(destroy.Json.GetValue<bool>());
        var info = await consul.GetAsync($"/v1/session/info/{id}");
        Assert.Equal(200, info.Status);
        Assert.Empty(info.Json.AsArray());
        Assert.True((await consul.PutAsync($"/v1/session/destroy/{Guid.NewGuid()}")).Json.GetValue<bool>());
    }

    [Theory]
    [InlineData("PUT", "/v1/session/destroy/", "Missing session")]
    [InlineData("PUT", "/v1/session/renew/", "Missing session")]
    [InlineData("GET", "/v1/session/info/", "Missing session")]
    [InlineData("GET", "/v1/session/node/", "Missing node name")]
    public async Task EmptyParameter_Returns400(string method, string path, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(new HttpMethod(method), path);
        Assert.Equal(400, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task WrongMethod_Returns405()
    {
        await using var consul = await ConsulTarget.StartAsync();
        Assert.Equal(405, (await consul.GetAsync("/v1/session/create")).Status);
        Assert.Equal(405, (await consul.PutAsync("/v1/session/list")).Status);
    }

    [Fact]
    public async Task Renew_ReturnsSessionWithTtl_UnknownIs404()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync("""{"TTL":"15s"}""");
        var renew = await consul.PutAsync($"/v1/session/renew/{id}");
        Assert.Equal(200, renew.Status);
        var s = renew.Json.AsArray().Single()!;
        Assert.Equal(id, s["ID"]!.GetValue<string>());
        Assert.Equal("15s", s["TTL"]!.GetValue<string>());

        var unknown = Guid.NewGuid().ToString();
        var missing = await consul.PutAsync($"/v1/session/renew/{unknown}");
        Assert.Equal(404, missing.Status);
        Assert.Equal($"Session id '{unknown}' not found", missing.Text);
    }

    [Fact]
    public async Task NodeAndList_IncludeSession()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync($$"""{"Name":"{{consul.Name("s")}}"}""");
        var node = await consul.NodeNameAsync();
        var list = await consul.GetAsync("/v1/session/list");
        Assert.Contains(list.Json.AsArray(), s => s!["ID"]!.GetValue<string>() == id);
        var onNode = await consul.GetAsync($"/v1/session/node/{node}");
        Assert.Contains(onNode.Json.AsArray(), s => s!["ID"]!.GetValue<string>() == id);
        Assert.Empty((await consul.GetAsync($"/v1/session/node/{consul.Name("nowhere")}")).Json.AsArray());
        Assert.True(list.Index >= 1);
    }

    [Fact]
    public async Task Info_Blocking_WakesOnDestroyWithHigherIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = await consul.CreateSessionAsync();
        var first = await consul.GetAsync($"/v1/session/info/{id}");
        var blocked = consul.GetAsync($"/v1/session/info/{id}?index={first.Index}&wait=10s");
        await consul.PutAsync($"/v1/session/destroy/{id}");
        var woke = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(woke.Index > first.Index);
        Assert.Empty(woke.Json.AsArray());
    }

    [Fact]
    public async Task List_Blocking_WakesOnCreate()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var first = await consul.GetAsync("/v1/session/list");
        var blocked = consul.GetAsync($"/v1/session/list?index={first.Index}&wait=10s");
        var id = await consul.CreateSessionAsync();
        var woke = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(woke.Index > first.Index);
        Assert.Contains(woke.Json.AsArray(), s => s!["ID"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task DeregisteringItsNode_InvalidatesTheSession_AndReleasesItsLocks()
    {
        // Consul's deleteNodeTxn deletes the node's sessions with it (their keys released per the session's behaviour).
        await using var consul = await ConsulTarget.StartAsync();
        var node = consul.Name("node");
        var key = consul.Name("lock");
        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/register", $$"""{"Node":"{{node}}","Address":"10.1.2.3"}""")).Status);
        var id = await consul.CreateSessionAsync($$"""{"Node":"{{node}}","Checks":[],"LockDelay":"0s"}""");
        Assert.Equal("true", (await consul.PutAsync($"/v1/kv/{key}?acquire={id}", "held")).Text.Trim());
        var before = (await consul.GetAsync($"/v1/session/info/{id}")).Index;

        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}"}""")).Status);

        var info = await consul.GetAsync($"/v1/session/info/{id}");
        Assert.Empty(info.Json.AsArray());
        Assert.True(info.Index > before, $"session index {info.Index} after the node's removal, {before} before");
        var entry = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!.AsObject();
        Assert.Null(entry["Session"]);
        Assert.Equal("held", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(entry["Value"]!.GetValue<string>())));
    }
}
