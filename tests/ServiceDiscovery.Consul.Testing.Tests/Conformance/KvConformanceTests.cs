// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §11: KV get, put, delete.</summary>
public sealed class KvConformanceTests
{
    [Fact]
    public async Task PutThenGet_ReturnsBase64ValueAndIndexes()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        var put = await consul.PutAsync($"/v1/kv/{key}?flags=42", "hello");
        Assert.Equal(200, put.Status);
        Assert.True(put.Json.GetValue<bool>());

        var get = await consul.GetAsync($"/v1/kv/{key}");
        var entry = get.Json.AsArray().Single()!;
        Assert.Equal(key, entry["Key"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("hello")), entry["Value"]!.GetValue<string>());
        Assert.Equal(42UL, entry["Flags"]!.GetValue<ulong>());
        Assert.Equal(0, entry["LockIndex"]!.GetValue<int>());
        Assert.Equal(entry["ModifyIndex"]!.GetValue<ulong>(), get.Index);
        Assert.Null(entry["Session"]);
    }

    [Fact]
    public async Task Put_WithoutFlags_ResetsFlagsToZero()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        await consul.PutAsync($"/v1/kv/{key}?flags=7", "a");
        await consul.PutAsync($"/v1/kv/{key}", "b");
        Assert.Equal(0UL, (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["Flags"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task EmptyValue_IsNull()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        await consul.PutAsync($"/v1/kv/{key}", string.Empty);
        Assert.Null((await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["Value"]);
    }

    [Fact]
    public async Task MissingKey_Returns404EmptyBodyWithIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync($"/v1/kv/{consul.Name("missing")}");
        Assert.Equal(404, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
        Assert.True(reply.Index >= 1);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task EmptyKey_Returns400MissingKeyName(string method)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(new HttpMethod(method), "/v1/kv/", method == "PUT" ? "x" : null);
        Assert.Equal(400, reply.Status);
        Assert.Equal("Missing key name", reply.Text);
    }

    [Fact]
    public async Task Recurse_ReturnsPrefixWithHighestModifyIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("app");
        await consul.PutAsync($"/v1/kv/{prefix}/a", "1");
        await consul.PutAsync($"/v1/kv/{prefix}/b", "2");
        var reply = await consul.GetAsync($"/v1/kv/{prefix}/?recurse");
        var entries = reply.Json.AsArray();
        Assert.Equal([$"{prefix}/a", $"{prefix}/b"], entries.Select(e => e!["Key"]!.GetValue<string>()));
        Assert.Equal(entries.Max(e => e!["ModifyIndex"]!.GetValue<ulong>()), reply.Index);
    }

    [Fact]
    public async Task Keys_WithSeparator_ListsOneLevel()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("app");
        await consul.PutAsync($"/v1/kv/{prefix}/a/x", "1");
        await consul.PutAsync($"/v1/kv/{prefix}/a/y", "1");
        await consul.PutAsync($"/v1/kv/{prefix}/b", "1");
        var reply = await consul.GetAsync($"/v1/kv/{prefix}/?keys&separator=/");
        Assert.Equal([$"{prefix}/a/", $"{prefix}/b"], reply.Json.AsArray().Select(k => k!.GetValue<string>()));
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{consul.Name("none")}/?keys")).Status);
    }

    [Fact]
    public async Task Raw_ReturnsBytesWithSandboxHeaders()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        await consul.PutAsync($"/v1/kv/{key}", "{\"a\":1}");
        var reply = await consul.GetAsync($"/v1/kv/{key}?raw");
        Assert.Equal("{\"a\":1}", reply.Text);
        Assert.Equal("text/plain", reply.ContentHeaders.ContentType?.MediaType);
        Assert.Equal("nosniff", reply.Header("X-Content-Type-Options"));
        Assert.Equal("sandbox", reply.Header("Content-Security-Policy"));
    }

    [Fact]
    public async Task Cas_ZeroCreatesOnlyIfAbsent_IndexMustMatch()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        Assert.True((await consul.PutAsync($"/v1/kv/{key}?cas=0", "a")).Json.GetValue<bool>());
        Assert.False((await consul.PutAsync($"/v1/kv/{key}?cas=0", "b")).Json.GetValue<bool>());
        var index = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["ModifyIndex"]!.GetValue<ulong>();
        Assert.False((await consul.PutAsync($"/v1/kv/{key}?cas={index + 1000}", "c")).Json.GetValue<bool>());
        Assert.True((await consul.PutAsync($"/v1/kv/{key}?cas={index}", "d")).Json.GetValue<bool>());
    }

    [Fact]
    public async Task Delete_CasAndRecurse()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("app");
        await consul.PutAsync($"/v1/kv/{prefix}/a", "1");
        await consul.PutAsync($"/v1/kv/{prefix}/b", "1");
        Assert.False((await consul.DeleteAsync($"/v1/kv/{prefix}/a?cas=0")).Json.GetValue<bool>());
        Assert.True((await consul.DeleteAsync($"/v1/kv/{prefix}/?recurse")).Json.GetValue<bool>());
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{prefix}/?recurse")).Status);
    }

    [Fact]
    public async Task ConflictingFlags_Returns400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.DeleteAsync($"/v1/kv/{consul.Name("k")}?recurse&cas=1");
        Assert.Equal(400, reply.Status);
        Assert.StartsWith("Conflicting flags: ", reply.Text);
    }

    [Fact]
    public async Task Blocking_ReturnsOnWrite()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("k");
        await consul.PutAsync($"/v1/kv/{key}", "1");
        var first = await consul.GetAsync($"/v1/kv/{key}");
        var blocked = consul.GetAsync($"/v1/kv/{key}?index={first.Index}&wait=30s");
        await consul.PutAsync($"/v1/kv/{key}", "2");
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(reply.Index > first.Index);
        Assert.Equal(Convert.ToBase64String("2"u8.ToArray()), reply.Json[0]!["Value"]!.GetValue<string>());
    }
}
