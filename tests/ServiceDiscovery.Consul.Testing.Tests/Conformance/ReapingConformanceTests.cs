// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §10: DeregisterCriticalServiceAfter, the 1m floor, the 30s reaper, the critical clock.</summary>
public sealed class ReapingConformanceTests
{
    [Fact]
    public async Task Dcsa_ReapsOnFirstReaperTickAfterFloor()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives TTL and reaper");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"10s","Status":"passing","DeregisterCriticalServiceAfter":"30s"}}""");

        // t=10s: the TTL expires and the critical clock starts. DCSA 30s is raised to the 1m floor.
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("critical", agent.Checks.Single().Status);

        // Reaper ticks at 30s and 60s see 20s and 50s of critical: kept.
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Single(agent.Services);

        // The tick at 90s sees 80s > 1m: reaped like a deregistration.
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(agent.Services);
        Assert.Empty(agent.Checks);
        Assert.Empty((await consul.GetAsync("/v1/health/service/web")).Json.AsArray());
    }

    [Fact]
    public async Task CriticalClock_StartsAtFirstCriticalUpdateNotRegistration()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives TTL and reaper");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"100s","DeregisterCriticalServiceAfter":"1m"}}""");

        // Registered critical, but no critical update yet: no clock, no reaping.
        time.Advance(TimeSpan.FromSeconds(90));
        Assert.Single(agent.Services);

        // t=100s the TTL expires (clock starts); ticks at 120..150 see <= 50s; 180 sees 80s.
        // (Advance to the expiry on its own: FakeTimeProvider runs callbacks at the end time of an Advance.)
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("critical", agent.Checks.Single().Status);
        time.Advance(TimeSpan.FromSeconds(50));
        Assert.Single(agent.Services);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Empty(agent.Services);
    }

    [Fact]
    public async Task NonCriticalUpdate_ClearsCriticalClock()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives TTL and reaper");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"1h","DeregisterCriticalServiceAfter":"1m"}}""");
        await consul.PutAsync("/v1/agent/check/fail/c");
        time.Advance(TimeSpan.FromSeconds(50));
        await consul.PutAsync("/v1/agent/check/pass/c");
        await consul.PutAsync("/v1/agent/check/fail/c");
        time.Advance(TimeSpan.FromSeconds(40));
        Assert.Single(agent.Services);
    }

    [Fact]
    public async Task Options_ShortenFloorAndReapInterval()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(
            new ConsulTestAgentOptions { TimeProvider = time, ReapInterval = TimeSpan.FromSeconds(1), DeregisterCriticalServiceMinimum = TimeSpan.FromSeconds(2) },
            "configures the reaper");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"1h","DeregisterCriticalServiceAfter":"1s"}}""");
        await consul.PutAsync("/v1/agent/check/fail/c");
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Single(agent.Services);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(agent.Services);
    }

    [Fact]
    public async Task MaintenanceCheck_IsNeverReaped()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the reaper");
        var agent = consul.Agent!;
        await consul.RegisterAsync("""{"Name":"web","Check":{"CheckID":"c","TTL":"1h","Status":"passing","DeregisterCriticalServiceAfter":"1m"}}""");
        await consul.PutAsync("/v1/agent/service/maintenance/web?enable=true");
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Single(agent.Services);
    }
}
