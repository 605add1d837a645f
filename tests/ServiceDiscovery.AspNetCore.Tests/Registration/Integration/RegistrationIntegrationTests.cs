// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

/// <summary>Real Kestrel on port 0, real Consul HTTP client, <see cref="ConsulTestAgent"/> running real HTTP and TTL checks.</summary>
public sealed class RegistrationIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ConsulTestAgent _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _agent = await ConsulTestAgent.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task Start_KestrelOnPort0_RegisteredWithTheRealPortAndHttpCheck()
    {
        await using var app = await RegisteredApp.StartAsync(_agent.Address);

        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);

        var service = Assert.Single(_agent.Services);
        Assert.NotEqual(0, app.Port);
        Assert.Equal($"orders-127.0.0.1-{app.Port}", service.Id);
        Assert.Equal("orders", service.Name);
        Assert.Equal("127.0.0.1", service.Address);
        Assert.Equal(app.Port, service.Port);
        Assert.Equal("http", service.Meta["scheme"]);
        Assert.Empty(service.Tags); // nothing leaks in from a referenced sample's appsettings.json
        var check = Assert.Single(_agent.Checks);
        Assert.Equal("http", check.Type);
        // The agent stores the service before its 200 reaches the app: wait for the app to learn it.
        await Eventually.WaitAsync(() => app.App.Services.GetRequiredService<IConsulRegistration>().IsRegistered, Deadline);
    }

    [Fact]
    public async Task HttpCheck_AppHealthChanges_ConsulShowsPassingWarningCritical()
    {
        await using var app = await RegisteredApp.StartAsync(_agent.Address);

        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "passing", Deadline, Ct);
        app.Health = HealthStatus.Degraded;
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "warning", Deadline, Ct);
        app.Health = HealthStatus.Unhealthy;
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "critical", Deadline, Ct);
        app.Health = HealthStatus.Healthy;
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "passing", Deadline, Ct);
    }

    [Fact]
    public async Task TtlCheck_AppHealthChanges_HeartbeatReportsIt()
    {
        await using var app = await RegisteredApp.StartAsync(_agent.Address, settings: new()
        {
            ["Consul:HealthCheck:Kind"] = "Ttl",
            ["Consul:HealthCheck:Ttl"] = "00:00:01.500",
        });

        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "passing", Deadline, Ct);
        Assert.Equal("ttl", Assert.Single(_agent.Checks).Type);
        app.Health = HealthStatus.Degraded;
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "warning", Deadline, Ct);
        app.Health = HealthStatus.Unhealthy;
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "critical", Deadline, Ct);
    }

    [Fact]
    public async Task Stop_Registered_RemovedFromConsulBeforeStopReturns()
    {
        var app = await RegisteredApp.StartAsync(_agent.Address);
        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);

        await app.App.StopAsync(Ct);

        Assert.Empty(_agent.Services);
        Assert.Empty(_agent.Checks);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Stop_DrainDelay_DeregisteredFirstThenStillServingUntilTheDrainEnds()
    {
        var app = await RegisteredApp.StartAsync(_agent.Address, settings: new() { ["Consul:Registration:DrainDelay"] = "00:00:02" });
        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);

        var stopping = app.App.StopAsync(Ct);
        await _agent.WaitUntilAsync(a => a.Services.Count == 0, Deadline, Ct);
        using var http = new HttpClient();
        using var duringDrain = await http.GetAsync(app.Url("/health"), Ct);

        Assert.Equal(HttpStatusCode.OK, duringDrain.StatusCode);
        Assert.False(stopping.IsCompleted);
        await stopping.WaitAsync(Deadline, Ct);
        await app.DisposeAsync();
    }

    [Fact]
    public async Task AgentRestartWithoutState_RegisteredAgain()
    {
        await using var app = await RegisteredApp.StartAsync(_agent.Address);
        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);

        await _agent.RestartAsync(keepState: false, Ct);
        Assert.Empty(_agent.Services);

        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);
        await _agent.WaitUntilAsync(a => RegisteredApp.CheckStatus(a, app.ServiceId) == "passing", Deadline, Ct);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Name == "ConsulServiceLost");
    }

    [Fact]
    public async Task AgentDownAtStart_AppServesAndRegistersOnceTheAgentIsUp()
    {
        await _agent.StopAcceptingAsync(Ct);

        await using var app = await RegisteredApp.StartAsync(_agent.Address);
        using var http = new HttpClient();
        using var health = await http.GetAsync(app.Url("/health"), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await Eventually.WaitAsync(() => app.Logs.GetSnapshot().Any(r => r.Id.Name == "ConsulRegistrationFailed"), Deadline);

        await _agent.StartAcceptingAsync(Ct);

        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);
    }

    [Fact]
    public async Task ConsulFailures_TokenConfigured_NeverInLogs()
    {
        const string token = "5f0c2a1e-secret-token-9d1b";
        _agent.FailNextRequests(2, statusCode: 500, pathPrefix: "/v1/agent/service/register", body: "rpc error making call: boom");

        await using var app = await RegisteredApp.StartAsync(_agent.Address, settings: new() { ["Consul:Token"] = token });
        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);
        await app.App.StopAsync(Ct);

        var logs = app.Logs.GetSnapshot();
        Assert.Equal(2, logs.Count(r => r.Id.Name == "ConsulRegistrationFailed"));
        Assert.Contains(logs, r => r.Message.Contains("rpc error making call: boom", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, r => r.Message.Contains(token, StringComparison.Ordinal) || (r.Exception?.ToString().Contains(token, StringComparison.Ordinal) ?? false));
    }

    [Fact]
    public async Task FailFast_AgentDown_StartFailsWithAClearMessage()
    {
        await _agent.StopAcceptingAsync(Ct);
        await using var app = RegisteredApp.Create(_agent.Address, settings: new() { ["Consul:Registration:FailFast"] = "true" });

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => app.App.StartAsync(Ct));

        Assert.Contains("Could not register service 'orders'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_agent.Address.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("FailFast", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoInstancesOfOneServiceInOneProcess_EachRegisteredWithItsOwnId()
    {
        await using var first = await RegisteredApp.StartAsync(_agent.Address);
        await using var second = await RegisteredApp.StartAsync(_agent.Address);
        await using var other = await RegisteredApp.StartAsync(_agent.Address, serviceName: "billing");

        await _agent.WaitUntilAsync(a => a.Services.Count == 3, Deadline, Ct);

        Assert.NotEqual(first.ServiceId, second.ServiceId);
        Assert.Equal(2, _agent.Services.Count(s => s.Name == "orders"));
        Assert.Equivalent(new[] { first.Port, second.Port, other.Port }, _agent.Services.Select(s => s.Port).ToArray(), strict: true);

        await second.App.StopAsync(Ct);

        Assert.Equivalent(new[] { first.ServiceId, other.ServiceId }, _agent.Services.Select(s => s.Id).ToArray(), strict: true);
    }

    [Fact]
    public async Task Stop_AgentPaused_ShutdownBoundedByTheHostTimeout()
    {
        var app = RegisteredApp.Create(
            _agent.Address,
            settings: new() { ["Consul:Timeout"] = "00:01:00", ["Consul:Registration:DrainDelay"] = "00:00:30" },
            shutdownTimeout: TimeSpan.FromSeconds(1));
        await app.App.StartAsync(Ct);
        await _agent.WaitUntilAsync(a => RegisteredApp.Has(a, app.ServiceId), Deadline, Ct);
        _agent.Pause();
        try
        {
            var stopwatch = Stopwatch.StartNew();
            await app.App.StopAsync(CancellationToken.None);
            stopwatch.Stop();

            Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
            Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Name == "ConsulDeregistrationTimedOut");
        }
        finally
        {
            _agent.Resume();
            await app.DisposeAsync();
        }
    }
}
