// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md §27: a duration read from a body is a Go <c>time.Duration</c>, whole nanoseconds, and what
/// an answer prints is that value as Go's <c>Duration.String()</c> (or the number of nanoseconds), to the nanosecond:
/// not rounded to the 100 ns ticks of a .NET <see cref="TimeSpan"/>.
/// </summary>
public sealed class DurationPrecisionConformanceTests
{
    [Theory]
    [InlineData("1001", "1500001", "1.001µs", "1.500001ms")]
    [InlineData("\"1.000000001s\"", "1", "1.000000001s", "1ns")]
    [InlineData("\"1h0m0.000000001s\"", "\"101ns\"", "1h0m0.000000001s", "101ns")]
    public async Task CheckIntervalAndTimeout_ArePrintedToTheNanosecond(string interval, string timeout, string intervalText, string timeoutText)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");

        await consul.RegisterAsync($$$"""
            {"Name":"{{{name}}}","Check":{"CheckID":"{{{name}}}-c","TCP":"127.0.0.1:1","Interval":{{{interval}}},"Timeout":{{{timeout}}}}}
            """);

        var registered = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal((intervalText, timeoutText), (registered["Interval"]!.GetValue<string>(), registered["Timeout"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("\"1001ns\"", 1_001L)]
    [InlineData("1234", 1_234L)]
    [InlineData("\"1.000000001s\"", 1_000_000_001L)]
    public async Task SessionLockDelay_IsKeptToTheNanosecond(string lockDelay, long nanos)
    {
        await using var consul = await ConsulTarget.StartAsync();

        var id = await consul.CreateSessionAsync($$"""{"LockDelay":{{lockDelay}}}""");

        Assert.Equal(nanos, (await consul.GetAsync($"/v1/session/info/{id}")).Json[0]!["LockDelay"]!.GetValue<long>());
    }

    [Fact]
    public async Task AutopilotDurations_ArePrintedToTheNanosecond()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var initial = (await consul.GetAsync("/v1/operator/autopilot/configuration")).Json;
        try
        {
            var put = await consul.PutAsync("/v1/operator/autopilot/configuration", """{"LastContactThreshold":"200.000001ms","ServerStabilizationTime":1000000001}""");
            Assert.Equal(200, put.Status);

            var read = (await consul.GetAsync("/v1/operator/autopilot/configuration")).Json;
            Assert.Equal(("200.000001ms", "1.000000001s"), (read["LastContactThreshold"]!.GetValue<string>(), read["ServerStabilizationTime"]!.GetValue<string>()));
        }
        finally
        {
            initial.AsObject().Remove("CreateIndex");
            initial.AsObject().Remove("ModifyIndex");
            await consul.PutAsync("/v1/operator/autopilot/configuration", initial.ToJsonString());
        }
    }

    [Fact]
    public async Task PreparedQueryNegativeDnsTtl_IsQuotedToTheNanosecond()
    {
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{consul.Name("q")}}}","Service":{"Service":"a"},"DNS":{"TTL":"-1ns"}}""");

        Assert.Equal((500, "Invalid prepared query: DNS TTL '-1ns', must be >=0"), (reply.Status, reply.Text));
    }
}
