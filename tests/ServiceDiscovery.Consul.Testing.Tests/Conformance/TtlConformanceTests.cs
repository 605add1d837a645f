// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §5 and §10 (TTL half): TTL updates and expiry.</summary>
public sealed class TtlConformanceTests
{
    [Theory]
    [InlineData("pass", "passing")]
    [InlineData("warn", "warning")]
    [InlineData("fail", "critical")]
    public async Task TtlUpdate_SetsStatusAndNoteAsOutput(string verb, string status)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/check/{verb}/{name}-c?note=hello%20there");
        Assert.Equal(200, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal(status, check["Status"]!.GetValue<string>());
        Assert.Equal("hello there", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task TtlUpdateBody_SetsStatusAndOutput()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/check/update/{name}-c", """{"Status":"warning","Output":"slow"}""");
        Assert.Equal(200, reply.Status);
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal("warning", check["Status"]!.GetValue<string>());
        Assert.Equal("slow", check["Output"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "Request decode failed: EOF")]
    [InlineData("""{"Status":"ok"}""", "Invalid check status: 'ok'")]
    [InlineData("""{"Status":"passing","Extra":1}""", "Request decode failed: json: unknown field \"Extra\"")]
    public async Task TtlUpdateBody_Invalid_Returns400(string body, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/check/update/{name}-c", body);
        Assert.Equal(400, reply.Status);
        Assert.Equal(text, reply.Text);
    }

    [Fact]
    public async Task TtlUpdate_UnknownCheck_Returns404WithText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("nope");
        var reply = await consul.PutAsync($"/v1/agent/check/pass/{id}");
        Assert.Equal(404, reply.Status);
        Assert.Equal($"Unknown check ID \"{id}\". Ensure that the check ID is passed, not the check name.", reply.Text);
    }

    [Fact]
    public async Task TtlUpdate_NonTtlCheck_Returns500()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","HTTP":"http://127.0.0.1:1/","Interval":"30s"}}""");
        var reply = await consul.PutAsync($"/v1/agent/check/pass/{name}-c");
        Assert.Equal(500, reply.Status);
        Assert.Equal($"CheckID \"{name}-c\" does not have associated TTL", reply.Text);
    }

    [Fact]
    public async Task TtlUpdate_LongOutput_IsTruncatedWithCapturedSuffix()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","TTL":"30s"}}""");
        var output = new string('x', 5000);
        await consul.PutAsync($"/v1/agent/check/update/{name}-c", $$$$"""{"Status":"passing","Output":"{{{{output}}}}"}""");
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal(new string('x', 4096) + " ... (captured 4096 of 5000 bytes)", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ttl_Expires_ToCriticalWithTtlExpiredOutput()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "drives the TTL timer with fake time");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"10s","Status":"passing"}}""");
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("passing", agent.Checks.Single().Status);
        time.Advance(TimeSpan.FromSeconds(2));
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "critical", TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("TTL expired", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task Ttl_ExpiresAfterUpdate_QuotesLastOutput()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "drives the TTL timer with fake time");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"10s"}}""");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/check/pass/c?note=all%20good")).Status);

        // The update restarted the timer: 9s later it has not expired, 11s later it has.
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal("passing", agent.Checks.Single().Status);
        time.Advance(TimeSpan.FromSeconds(2));
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "critical", TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal("TTL expired (last output before timeout follows): all good", agent.Checks.Single().Output);
    }
}
