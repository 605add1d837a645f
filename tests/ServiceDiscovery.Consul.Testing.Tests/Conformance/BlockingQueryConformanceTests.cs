// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §6 (index rules) and §8: blocking queries.</summary>
public sealed class BlockingQueryConformanceTests
{
    [Fact]
    public async Task Blocking_ReturnsWhenServiceChanges()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-1","Name":"{{{{name}}}}"}""");
        var first = await consul.GetAsync($"/v1/health/service/{name}");
        var blocked = consul.GetAsync($"/v1/health/service/{name}?index={first.Index}&wait=30s");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{name}}}}-2","Name":"{{{{name}}}}"}""");
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(reply.Index > first.Index);
        Assert.Equal(2, reply.Json.AsArray().Count);
    }

    [Fact]
    public async Task Blocking_ShortWait_ReturnsCurrentDataAndIndexAtTimeout()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}"}""");
        var first = await consul.GetAsync($"/v1/health/service/{name}");
        var reply = await consul.GetAsync($"/v1/health/service/{name}?index={first.Index}&wait=50ms");
        Assert.Equal(200, reply.Status);
        Assert.Equal(first.Index, reply.Index);
        Assert.Single(reply.Json.AsArray());
    }

    [Fact]
    public async Task Index_NotMovedByOtherServices()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var a = consul.Name("a");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{a}}}}"}""");
        var before = (await consul.GetAsync($"/v1/health/service/{a}")).Index;
        await consul.RegisterAsync($$$$"""{"Name":"{{{{consul.Name("b")}}}}"}""");
        Assert.Equal(before, (await consul.GetAsync($"/v1/health/service/{a}")).Index);
    }

    [Fact]
    public async Task Index_NotMovedByIdenticalReRegistration()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        var body = $$$$"""{"Name":"{{{{name}}}}","Port":80,"Tags":["x"],"Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s","Status":"passing"}}""";
        await consul.RegisterAsync(body);
        var before = (await consul.GetAsync($"/v1/health/service/{name}")).Index;
        await consul.RegisterAsync(body);
        Assert.Equal(before, (await consul.GetAsync($"/v1/health/service/{name}")).Index);
    }

    [Fact]
    public async Task Index_NotMovedByIdenticalTtlUpdate()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        await consul.PutAsync($"/v1/agent/check/pass/{name}-c?note=same");
        var before = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/health/service/{name}?passing"), r => r.Json.AsArray().Count == 1);
        await consul.PutAsync($"/v1/agent/check/pass/{name}-c?note=same");
        Assert.Equal(before.Index, (await consul.GetAsync($"/v1/health/service/{name}")).Index);
    }

    [Fact]
    public async Task Index_MovedByOutputOnlyChange_WhenSyncDelayIsZero()
    {
        await using var consul = await ConsulTarget.StartAsync();
        consul.RequireAgent("a real agent defers output-only changes by check_update_interval (5m)");
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        await consul.PutAsync($"/v1/agent/check/pass/{name}-c?note=one");
        var before = (await consul.GetAsync($"/v1/health/service/{name}")).Index;
        await consul.PutAsync($"/v1/agent/check/pass/{name}-c?note=two");
        Assert.True((await consul.GetAsync($"/v1/health/service/{name}")).Index > before);
    }

    [Fact]
    public async Task Index_IsNeverZero()
    {
        await using var consul = await ConsulTarget.StartAsync();
        Assert.True((await consul.GetAsync($"/v1/kv/{consul.Name("missing")}")).Index >= 1);
        Assert.True((await consul.GetAsync($"/v1/health/service/{consul.Name("missing")}")).Index >= 1);
        Assert.True((await consul.GetAsync($"/v1/catalog/service/{consul.Name("missing")}")).Index >= 1);
    }

    [Fact]
    public async Task Index_ZeroDoesNotBlock()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/health/service/web?index=0&wait=30s").WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task IndexAheadOfServer_BlocksUntilTimeout()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the timeout");
        var agent = consul.Agent!;
        var blocked = consul.GetAsync("/v1/health/service/web?index=999999&wait=10s");
        await WaitForBlockedAsync(agent, 1);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(blocked.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(10.0 / 16 + 1));
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(reply.Index < 999999);
    }

    [Theory]
    [InlineData("", 300)]
    [InlineData("&wait=0s", 300)]
    [InlineData("&wait=160s", 160)]
    [InlineData("&wait=20m", 600)]
    public async Task Wait_DefaultsMaxAndJitter(string wait, int expectedSeconds)
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the timeout");
        var agent = consul.Agent!;
        var index = (await consul.GetAsync("/v1/catalog/services")).Index;
        var blocked = consul.GetAsync($"/v1/catalog/services?index={index}{wait}");
        await WaitForBlockedAsync(agent, 1);
        time.Advance(TimeSpan.FromSeconds(expectedSeconds) - TimeSpan.FromMilliseconds(1));
        Assert.False(blocked.IsCompleted);

        // The jitter adds less than wait/16.
        time.Advance(TimeSpan.FromSeconds(expectedSeconds / 16.0) + TimeSpan.FromMilliseconds(2));
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(index, reply.Index);
    }

    [Fact]
    public async Task Restart_WithoutState_IndexGoesBackwards()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireAgent("restarts the agent");
        for (var i = 0; i < 5; i++)
        {
            await consul.RegisterAsync($$$$"""{"ID":"web-{{{{i}}}}","Name":"web"}""");
        }

        var before = (await consul.GetAsync("/v1/health/service/web")).Index;
        await agent.RestartAsync(keepState: false, TestContext.Current.CancellationToken);
        var after = await consul.GetAsync("/v1/health/service/web");
        Assert.Empty(after.Json.AsArray());
        Assert.True(after.Index < before, $"{after.Index} < {before}");
        Assert.Empty(agent.Services);
    }

    [Fact]
    public async Task ThousandConcurrentBlockingQueries_UseNoThreadEach()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireAgent("counts waiting queries inside the agent");
        var index = (await consul.GetAsync("/v1/health/service/web")).Index;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue };
        using var client = new HttpClient(handler) { BaseAddress = agent.Address, Timeout = TimeSpan.FromMinutes(1) };
        var threadsBefore = ThreadPool.ThreadCount;
        var queries = Enumerable.Range(0, 1000)
            .Select(_ => client.GetAsync($"/v1/health/service/web?index={index}&wait=60s", TestContext.Current.CancellationToken))
            .ToList();
        await WaitForBlockedAsync(agent, 1000, TimeSpan.FromSeconds(30));
        var threadsWhileBlocked = ThreadPool.ThreadCount;
        Assert.True(threadsWhileBlocked - threadsBefore < 100, $"thread pool grew from {threadsBefore} to {threadsWhileBlocked}");

        var wake = System.Diagnostics.Stopwatch.StartNew();
        await consul.RegisterAsync("""{"Name":"web"}""");
        var responses = await Task.WhenAll(queries).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"1000 blocked queries: thread pool {threadsBefore} -> {threadsWhileBlocked} threads; all answered {wake.ElapsedMilliseconds} ms after the change.");
        Assert.All(responses, r => Assert.Equal(200, (int)r.StatusCode));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    internal static async Task WaitForBlockedAsync(ConsulTestAgent agent, int count, TimeSpan? timeout = null)
    {
        await Eventually.UntilAsync(() => Task.FromResult(agent.Store.BlockedQueries), n => n >= count, timeout);
    }
}
