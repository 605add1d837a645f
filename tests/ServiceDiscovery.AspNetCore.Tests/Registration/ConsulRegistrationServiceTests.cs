// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class ConsulRegistrationServiceTests
{
    private const string Id = "orders-10.0.0.5-5000";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartedAsync_ServerListening_RegistersBoundAddressAndPort()
    {
        await using var harness = new RegistrationHarness(boundAddresses: ["http://10.0.0.5:5000"]);

        await harness.Service.StartedAsync(Ct);
        await harness.WaitForLogAsync("ConsulServiceRegistered");

        var body = Assert.Single(harness.Client.Registrations);
        Assert.Equal(Id, body.ID);
        Assert.Equal("orders", body.Name);
        Assert.Equal("10.0.0.5", body.Address);
        Assert.Equal(5000, body.Port);
        Assert.Equal("http://10.0.0.5:5000/health", body.Check!.HTTP);
        Assert.Equal(1, harness.LogCount("ConsulServiceRegistered"));
        var registered = Assert.Single(harness.Registrations.GetMeasurementSnapshot());
        Assert.Equal("initial", registered.Tags["consul.registration.reason"]);
        harness.State.RecordObservableInstruments();
        Assert.Equal(1, harness.State.LastMeasurement!.Value);
    }

    [Fact]
    public async Task StartedAsync_ConsulHangs_ReturnsWithoutWaiting()
    {
        await using var harness = new RegistrationHarness();
        harness.Client.OnRegister = async (_, ct) => await Task.Delay(Timeout.Infinite, ct);

        await harness.Service.StartedAsync(Ct).WaitAsync(Deadline, Ct);

        await harness.WaitForCallsAsync("register:", 1);
        Assert.False(harness.Service.Loop.IsCompleted);
    }

    [Fact]
    public async Task StartedAsync_ConsulDown_RetriesWithExponentialBackoffAndLogsEachFailureOnce()
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.Registration.RetryInitialDelay = TimeSpan.FromSeconds(1);
            o.Registration.RetryMaxDelay = TimeSpan.FromSeconds(3);
        });
        var failures = 4;
        harness.Client.OnRegister = (registration, _) =>
            Interlocked.Decrement(ref failures) >= 0 ? Task.FromException(FakeConsulAgentApi.Unreachable()) : Task.CompletedTask;

        await harness.Service.StartedAsync(Ct);
        TimeSpan[] expected = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)];
        for (var attempt = 0; attempt < expected.Length; attempt++)
        {
            await harness.Time.WaitForTimerAsync(expected[attempt], skip: attempt);
            Assert.Equal(attempt + 1, harness.LogCount("ConsulRegistrationFailed"));
            harness.Time.Advance(expected[attempt]);
        }

        await Eventually.WaitAsync(() => harness.LogCount("ConsulServiceRegistered") == 1, Deadline);
        Assert.Equal(expected, harness.Time.DueTimes.Take(4));
        Assert.Equal(5, harness.Client.Count("register:"));
        Assert.Equal(4, harness.Failures.GetMeasurementSnapshot().Count);
        Assert.All(harness.Failures.GetMeasurementSnapshot(), m => Assert.Equal("connection_error", m.Tags["error.type"]));
    }

    [Fact]
    public async Task StartedAsync_FailFastAndConsulDown_ThrowsNamingTheAgentAndTheSetting()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.FailFast = true);
        harness.Client.OnRegister = (_, _) => Task.FromException(FakeConsulAgentApi.Unreachable());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Service.StartedAsync(Ct));

        Assert.Contains("'orders'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("http://consul.test:8500/", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Registration:FailFast", ex.Message, StringComparison.Ordinal);
        Assert.IsType<ConsulException>(ex.InnerException);
        Assert.True(harness.Service.Loop.IsCompleted);
    }

    [Fact]
    public async Task StartedAsync_FailFastAndConsulUp_RegisteredBeforeItReturns()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.FailFast = true);

        await harness.Service.StartedAsync(Ct);

        Assert.Equal(["register:" + Id], harness.Client.Calls);
    }

    [Fact]
    public async Task StartedAsync_NoBoundAddress_LogsWhatToSetAndDoesNotCallConsul()
    {
        await using var harness = new RegistrationHarness(boundAddresses: []);

        await harness.Service.StartedAsync(Ct);

        Assert.Empty(harness.Client.Calls);
        var record = Assert.Single(harness.Logs.GetSnapshot(), r => r.Id.Name == "ConsulNothingToRegister");
        Assert.Contains("Consul:Service:Address", record.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartedAsync_NoBoundAddressWithFailFast_Throws()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.FailFast = true, boundAddresses: []);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Service.StartedAsync(Ct));

        Assert.Contains("Consul:Service:Port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartedAsync_Disabled_NeverCallsConsul()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.Enabled = false);

        await harness.Service.StartedAsync(Ct);
        await harness.Service.StoppingAsync(Ct);

        Assert.Empty(harness.Client.Calls);
        Assert.Equal(1, harness.LogCount("ConsulRegistrationDisabled"));
    }

    [Fact]
    public async Task AntiEntropy_AgentForgotService_RegistersAgain()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Client.Services.Clear();
        harness.Time.Advance(TimeSpan.FromSeconds(30));

        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
        Assert.Equal(["register:" + Id, "get:" + Id, "register:" + Id], harness.Client.Calls);
        Assert.Single(harness.Reregistrations.GetMeasurementSnapshot());
        Assert.Equal(1, harness.LogCount("ConsulServiceLost"));
    }

    [Fact]
    public async Task AntiEntropy_AgentStillHasService_OnlyVerifies()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), skip: 1);

        Assert.Equal(["register:" + Id, "get:" + Id], harness.Client.Calls);
        Assert.Empty(harness.Reregistrations.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task AntiEntropy_ConsulDown_KeepsGoingAndLogsOnce()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        harness.Client.OnGetAgentService = (_, _) => Task.FromException<ServiceDiscovery.AspNetCore.Consul.Models.AgentService?>(FakeConsulAgentApi.Unreachable());

        for (var i = 1; i <= 3; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(30));
            await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), skip: i);
        }

        Assert.Equal(3, harness.Client.Count("get:"));
        Assert.Equal(1, harness.Client.Count("register:"));
        Assert.Equal(1, harness.LogCount("ConsulVerificationFailed"));
    }

    [Fact]
    public async Task OptionsReload_TagsChanged_RegistersTheNewBody()
    {
        await using var harness = new RegistrationHarness();
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Monitor.Set(RegistrationHarness.NewOptions(o => o.Service.Tags.Add("v2")));

        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
        Assert.Equal(["v2"], harness.Client.Registrations.Last().Tags);
        Assert.Equal("changed", harness.Registrations.LastMeasurement!.Tags["consul.registration.reason"]);
        Assert.Equal(0, harness.Client.Count("deregister:"));
    }

    [Fact]
    public async Task OptionsReload_SameBody_DoesNotRegisterAgain()
    {
        await using var harness = new RegistrationHarness();
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Monitor.Set(RegistrationHarness.NewOptions());
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), skip: 1);

        Assert.Equal(1, harness.Client.Count("register:"));
    }

    [Fact]
    public async Task OptionsReload_IdChanged_DeregistersTheOldIdFirst()
    {
        await using var harness = new RegistrationHarness();
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Monitor.Set(RegistrationHarness.NewOptions(o => o.Service.Id = "orders-blue"));

        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
        Assert.Equal(["register:" + Id, "deregister:" + Id, "register:orders-blue"], harness.Client.Calls);
        Assert.Equal(["orders-blue"], harness.Client.Services.Keys);
    }

    [Fact]
    public async Task OptionsReload_RegistrationTurnedOff_DeregistersAndStaysQuiet()
    {
        await using var harness = new RegistrationHarness();
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        harness.Monitor.Set(RegistrationHarness.NewOptions(o => o.Registration.Enabled = false));
        await harness.WaitForCallsAsync("deregister:", 1);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        await harness.Service.StoppingAsync(Ct);

        Assert.Equal(["register:" + Id, "deregister:" + Id], harness.Client.Calls);
        Assert.False(harness.Service.IsRegistered);
    }

    [Theory]
    [InlineData(HealthStatus.Healthy, ConsulHealthStatus.Passing)]
    [InlineData(HealthStatus.Degraded, ConsulHealthStatus.Warning)]
    [InlineData(HealthStatus.Unhealthy, ConsulHealthStatus.Critical)]
    public async Task TtlHeartbeat_AppHealth_ReportedAsCheckStatus(HealthStatus health, ConsulHealthStatus expected)
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.HealthCheck.Kind = ConsulCheckKind.Ttl;
            o.HealthCheck.Ttl = TimeSpan.FromSeconds(30);
        });
        harness.Health.Status = health;

        await harness.Service.StartedAsync(Ct);

        await harness.WaitForCallsAsync("ttl:", 1);
        Assert.Equal(["register:" + Id, $"ttl:service:{Id}:{expected}"], harness.Client.Calls);
    }

    [Fact]
    public async Task TtlHeartbeat_EveryThirdOfTtl_FollowsHealthChanges()
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.HealthCheck.Kind = ConsulCheckKind.Ttl;
            o.HealthCheck.Ttl = TimeSpan.FromSeconds(30);
        });
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(10));

        harness.Health.Status = HealthStatus.Degraded;
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(10), skip: 1);
        harness.Health.Status = HealthStatus.Unhealthy;
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.WaitForCallsAsync("ttl:", 3);

        Assert.Equal(
            [$"ttl:service:{Id}:Passing", $"ttl:service:{Id}:Warning", $"ttl:service:{Id}:Critical"],
            harness.Client.Calls.Where(c => c.StartsWith("ttl:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task TtlHeartbeat_AgentAnswers404_RegistersAgainThenReports()
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.HealthCheck.Kind = ConsulCheckKind.Ttl;
            o.HealthCheck.Ttl = TimeSpan.FromSeconds(30);
        });
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(10));

        harness.Client.Services.Clear();
        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await harness.WaitForCallsAsync("ttl:", 3);
        Assert.Equal(
            ["register:" + Id, $"ttl:service:{Id}:Passing", $"ttl:service:{Id}:Passing", "register:" + Id, $"ttl:service:{Id}:Passing"],
            harness.Client.Calls);
        Assert.Single(harness.Reregistrations.GetMeasurementSnapshot());
    }
}
