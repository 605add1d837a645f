// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Health;

public sealed class ConsulConnectivityHealthCheckTests : IAsyncLifetime
{
    private ConsulTestAgent _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _agent = await ConsulTestAgent.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task CheckHealth_AgentUp_HealthyNamingTheLeader()
    {
        await using var app = await StartAsync();

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

        var entry = report.Entries["consul"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Contains("leader", entry.Description, StringComparison.Ordinal);
        Assert.Contains("consul-connectivity", entry.Tags);
        Assert.Contains("ready", entry.Tags);
    }

    [Fact]
    public async Task CheckHealth_AgentDown_FailureStatusButConsulsOwnCheckStaysHealthy()
    {
        await using var app = await StartAsync();
        await _agent.StopAcceptingAsync(Ct);
        var client = app.GetTestClient();

        using var consulCheck = await client.GetAsync("/health", Ct);
        using var operatorsCheck = await client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, consulCheck.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, operatorsCheck.StatusCode);
        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["consul"].Status);
        Assert.Contains(_agent.Address.ToString(), report.Entries["consul"].Description, StringComparison.Ordinal);
    }

    private async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = _agent.Address.ToString(),
            ["Consul:Timeout"] = "00:00:02",
            ["Consul:Registration:Enabled"] = "false",
        });
        builder.Services.AddConsulDiscovery();
        builder.Services.AddHealthChecks().AddCheck("app", () => HealthCheckResult.Healthy()).AddConsulConnectivity(tags: ["ready"]);
        var app = builder.Build();
        app.MapHealthChecks("/healthz");
        await app.StartAsync(Ct);
        return app;
    }
}
