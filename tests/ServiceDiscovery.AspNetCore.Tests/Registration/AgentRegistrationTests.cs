// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Health;
using ServiceDiscovery.AspNetCore.Registration;
using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

/// <summary>The agent calls of a registration on their own: what may be removed, and how, after each outcome.</summary>
public sealed class AgentRegistrationTests
{
    private readonly FakeConsulAgentApi _client = new();
    private readonly AgentRegistration _agent;
    private readonly ServiceRegistration _registration;

    public AgentRegistrationTests()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _agent = new AgentRegistration(
            _client,
            new ApplicationHealthProbe(new FakeHealthCheckService()),
            new RegistrationMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            NullLogger<ConsulRegistrationService>.Instance);
        _registration = RegistrationBuilder.Build(RegistrationHarness.NewOptions(), new AdvertisedEndpoint("http", "10.0.0.5", 5000), "orders", "1.0.0");
    }

    [Fact]
    public async Task Remove_NeverRegistered_CallsNothing()
    {
        Assert.False(await _agent.RemoveAsync(_registration, ConsulShutdownMode.Deregister, TestContext.Current.CancellationToken));
        Assert.Empty(_client.Calls);
    }

    [Fact]
    public async Task Remove_AfterTimedOutRegister_Deregisters()
    {
        _client.OnRegister = (_, _) => Task.FromException(new ConsulException("timed out", ConsulErrorReason.Timeout, null, null));

        await Assert.ThrowsAsync<ConsulException>(() => _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken));

        Assert.False(_agent.IsRegistered);
        Assert.True(_agent.MayBeRegistered);
        await _agent.RemoveAsync(_registration, ConsulShutdownMode.Deregister, TestContext.Current.CancellationToken);
        Assert.Contains("deregister:" + _registration.ServiceId, _client.Calls);
    }

    [Fact]
    public async Task Remove_AfterRefusedRegister_CallsNothing()
    {
        _client.OnRegister = (_, _) => Task.FromException(new ConsulException("refused", ConsulErrorReason.ApiError, HttpStatusCode.BadRequest, "Invalid service"));

        await Assert.ThrowsAsync<ConsulException>(() => _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken));

        Assert.False(_agent.MayBeRegistered);
        Assert.False(await _agent.RemoveAsync(_registration, ConsulShutdownMode.Deregister, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Remove_MaintenanceMode_KeepsTheServiceAndLeavesRotation()
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);

        Assert.True(await _agent.RemoveAsync(_registration, ConsulShutdownMode.Maintenance, TestContext.Current.CancellationToken));

        Assert.Equal([$"register:{_registration.ServiceId}", $"maintenance:{_registration.ServiceId}:True"], _client.Calls);
        Assert.True(_client.Services.ContainsKey(_registration.ServiceId));
        Assert.False(_agent.IsRegistered);
    }

    [Fact]
    public async Task Remove_AgentFails_ReturnsFalseAndKeepsState()
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);
        _client.OnDeregister = (_, _) => Task.FromException<bool>(FakeConsulAgentApi.Unreachable());

        Assert.False(await _agent.RemoveAsync(_registration, ConsulShutdownMode.Deregister, TestContext.Current.CancellationToken));
        Assert.True(_agent.IsRegistered);
    }

    [Fact]
    public async Task Verify_AgentForgot_ReportsReregistrationAndNotRegistered()
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);
        _client.Services.Clear();

        Assert.Equal(RegistrationReasons.Reregistration, (await _agent.VerifyAsync(_registration, null, TimeSpan.Zero, TestContext.Current.CancellationToken)).Reason);
        Assert.False(_agent.IsRegistered);
    }

    [Theory]
    [InlineData("10.0.0.9", 5000)]
    [InlineData("10.0.0.5", 5001)]
    public async Task Verify_AgentHoldsItElsewhere_AsksToRegisterAgain(string agentAddress, int agentPort)
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);
        _client.OnGetAgentService = (id, _) => Task.FromResult<AgentService?>(new() { ID = id, Service = "orders", Address = agentAddress, Port = agentPort });

        Assert.Equal(RegistrationReasons.Changed, (await _agent.VerifyAsync(_registration, null, TimeSpan.Zero, TestContext.Current.CancellationToken)).Reason);
    }

    [Fact]
    public async Task Verify_AgentHoldsItAsRegistered_AsksNothing()
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);

        Assert.Null((await _agent.VerifyAsync(_registration, null, TimeSpan.Zero, TestContext.Current.CancellationToken)).Reason);
    }

    [Fact]
    public async Task Verify_AgentUnreachable_NotRegisteredUntilItAnswersAgain()
    {
        await _agent.RegisterAsync(_registration, RegistrationReasons.Initial, TestContext.Current.CancellationToken);
        var answers = _client.OnWatchAgentService;
        _client.OnWatchAgentService = (_, _, _, _) => Task.FromException<AgentService?>(FakeConsulAgentApi.Unreachable());

        Assert.Equal(AgentAnswer.Failed, (await _agent.VerifyAsync(_registration, null, TimeSpan.Zero, TestContext.Current.CancellationToken)).Answer);
        Assert.False(_agent.IsRegistered);

        _client.OnWatchAgentService = answers;
        var check = await _agent.VerifyAsync(_registration, null, TimeSpan.Zero, TestContext.Current.CancellationToken);
        Assert.Equal(AgentAnswer.Holds, check.Answer);
        Assert.NotNull(check.Hash);
        Assert.True(_agent.IsRegistered);
    }

    [Fact]
    public async Task Heartbeat_AgentUnreachable_NotRegisteredUntilATtlUpdateSucceeds()
    {
        var ttl = _registration with { TtlCheckId = "service:" + _registration.ServiceId };
        await _agent.RegisterAsync(ttl, RegistrationReasons.Initial, TestContext.Current.CancellationToken);
        _client.OnUpdateTtl = (_, _, _, _) => Task.FromException(FakeConsulAgentApi.Unreachable());

        Assert.Equal(AgentAnswer.Failed, await _agent.HeartbeatAsync(ttl, ttl.TtlCheckId!, TestContext.Current.CancellationToken));
        Assert.False(_agent.IsRegistered);

        _client.OnUpdateTtl = (_, _, _, _) => Task.CompletedTask;
        Assert.Equal(AgentAnswer.Holds, await _agent.HeartbeatAsync(ttl, ttl.TtlCheckId!, TestContext.Current.CancellationToken));
        Assert.True(_agent.IsRegistered);
    }
}
