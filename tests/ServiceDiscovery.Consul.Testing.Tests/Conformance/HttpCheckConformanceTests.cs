// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §9: HTTP checks are really probed; status mapping, output, request shape, thresholds.</summary>
public sealed class HttpCheckConformanceTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task HttpCheck_2xx_BecomesPassing_RealTime()
    {
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");
        await consul.RegisterAsync($$$$"""{"Name":"{{{{name}}}}","Check":{"CheckID":"{{{{name}}}}-c","HTTP":"{{{{endpoint.Url}}}}","Interval":"1s"}}""");
        var reply = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/health/service/{name}?passing"), r => r.Json.AsArray().Count == 1);
        var check = reply.Json[0]!["Checks"]!.AsArray().Single(c => c!["CheckID"]!.GetValue<string>() == $"{name}-c")!;
        Assert.Equal($"HTTP GET {endpoint.Url}: 200 OK Output: ok", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task FirstProbe_RunsWithinInterval_StatusCriticalUntilThen()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"10s"}}""");
        Assert.Equal("critical", agent.Checks.Single().Status);

        // The stagger is in [0, Interval): advancing one full interval must have run the first probe.
        time.Advance(TimeSpan.FromSeconds(10));
        await endpoint.WaitForProbesAsync(1);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "passing", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(200, "passing", "OK")]
    [InlineData(204, "passing", "No Content")]
    [InlineData(429, "warning", "Too Many Requests")]
    [InlineData(503, "critical", "Service Unavailable")]
    [InlineData(404, "critical", "Not Found")]
    public async Task StatusCode_MapsToCheckStatusAndOutput(int code, string status, string reason)
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        endpoint.Status = code;
        endpoint.Body = code == 204 ? string.Empty : "body";
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"1s","Status":"{{{{(status == "critical" ? "passing" : "critical")}}}}"}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == status, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal($"HTTP GET {endpoint.Url}: {code} {reason} Output: {endpoint.Body}", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task Probe_SendsConsulHeadersMethodAndNoKeepAlive()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"HTTP":"{{{{endpoint.Url}}}}","Interval":"1s","Method":"POST","Header":{"X-Probe":["yes"]}}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        var probe = endpoint.Probes[0];
        Assert.Equal("POST", probe.Method);
        Assert.Equal("Consul Health Check", probe.UserAgent);
        Assert.Equal("text/plain, text/*, */*", probe.Accept);
        Assert.Equal("close", probe.Connection, ignoreCase: true);
        Assert.Equal("yes", probe.ProbeHeader);
    }

    [Fact]
    public async Task Probe_RepeatsEveryInterval()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"HTTP":"{{{{endpoint.Url}}}}","Interval":"5s"}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal(3, endpoint.Probes.Count);
    }

    [Fact]
    public async Task Timeout_IsCriticalWithDeadlineExceededOutput()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        endpoint.Hang();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the timeout");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"30s","Timeout":"2s","Status":"passing"}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        time.Advance(TimeSpan.FromSeconds(2));
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "critical", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal($"Get \"{endpoint.Url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task ConnectionRefused_IsCriticalWithDialError()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        int port;
        await using (var closed = await LoopbackHealthEndpoint.StartAsync())
        {
            port = closed.Url.Port;
        }

        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"http://127.0.0.1:{{{{port}}}}/health","Interval":"1s","Status":"passing"}}""");
        time.Advance(Second);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "critical", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal($"Get \"http://127.0.0.1:{port}/health\": dial tcp 127.0.0.1:{port}: connect: connection refused", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task LongBody_KeepsLastOutputMaxSizeBytes()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        endpoint.Body = new string('a', 100) + new string('z', 10);
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"1s","OutputMaxSize":10}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "passing", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.EndsWith("Output: zzzzzzzzzz", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task Thresholds_SuccessBeforePassingAndFailuresBeforeCritical()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"1s","SuccessBeforePassing":2,"FailuresBeforeCritical":2}}""");
        string StatusNow() => agent.Checks.Single().Status;

        // Probe 1 (200) applies at once: the counters start at their thresholds.
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        endpoint.Status = 503;
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("passing", StatusNow());

        // Probe 2 (503) is the first failure: below both thresholds, the status stays.
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("passing", StatusNow());

        // Probe 3 (503) reaches FailuresBeforeCritical.
        endpoint.Status = 200;
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("critical", StatusNow());

        // Probe 4 (200) is one success: not yet passing; probe 5 makes two.
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("critical", StatusNow());
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("passing", StatusNow());
    }

    [Fact]
    public async Task FailuresBeforeWarning_AppliesWarningBeforeCritical()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","HTTP":"{{{{endpoint.Url}}}}","Interval":"1s","FailuresBeforeWarning":1,"FailuresBeforeCritical":3}}""");
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        endpoint.Status = 500;
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("warning", agent.Checks.Single().Status);
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        await endpoint.AdvanceToNextProbeAsync(time, Second);
        Assert.Equal("critical", agent.Checks.Single().Status);
    }

    [Fact]
    public async Task OutputOnlyChange_ReachesHealthAfterSyncDelay()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(
            new ConsulTestAgentOptions { TimeProvider = time, CheckOutputSyncDelay = TimeSpan.FromMinutes(5) }, "configures the output sync delay");
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"1h"}}""");
        await consul.PutAsync("/v1/agent/check/pass/c?note=one");
        var first = await consul.GetAsync("/v1/health/service/web");
        await consul.PutAsync("/v1/agent/check/pass/c?note=two");

        // The agent view is current; the catalog keeps the old output and index until the delay passes.
        Assert.Equal("two", consul.Agent!.Checks.Single().Output);
        var stale = await consul.GetAsync("/v1/health/service/web");
        Assert.Equal(first.Index, stale.Index);
        Assert.Contains(stale.Json[0]!["Checks"]!.AsArray(), c => c!["Output"]!.GetValue<string>() == "one");

        time.Advance(TimeSpan.FromMinutes(5));
        var fresh = await consul.GetAsync("/v1/health/service/web");
        Assert.True(fresh.Index > first.Index);
        Assert.Contains(fresh.Json[0]!["Checks"]!.AsArray(), c => c!["Output"]!.GetValue<string>() == "two");
    }

    [Fact]
    public async Task TcpCheck_OpenPort_PassingWithSuccessOutput()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        var target = $"127.0.0.1:{endpoint.Url.Port}";
        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","TCP":"{{{{target}}}}","Interval":"1s"}}""");
        Assert.Equal("tcp", agent.Checks.Single().Type);
        time.Advance(Second);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "passing", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal($"TCP connect {target}: Success", agent.Checks.Single().Output);
    }

    [Fact]
    public async Task TcpCheck_ClosedPort_CriticalWithDialError()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        var agent = consul.Agent!;
        int port;
        await using (var closed = await LoopbackHealthEndpoint.StartAsync())
        {
            port = closed.Url.Port;
        }

        await consul.RegisterAsync($$$$"""{"Name":"web","Check":{"CheckID":"c","TCP":"127.0.0.1:{{{{port}}}}","Interval":"1s","Status":"passing"}}""");
        time.Advance(Second);
        await agent.WaitUntilAsync(a => a.Checks.Single().Status == "critical", TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal($"dial tcp 127.0.0.1:{port}: connect: connection refused", agent.Checks.Single().Output);
    }
}
