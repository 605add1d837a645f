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
        var register = harness.Client.OnRegister;
        harness.Client.OnRegister = (registration, ct) =>
            Interlocked.Decrement(ref failures) >= 0 ? Task.FromException(FakeConsulAgentApi.Unreachable()) : register(registration, ct);

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

        Assert.Equal(["register:" + Id], harness.Client.CallsButWatches);
    }

    [Fact]
    public async Task StartedAsync_NoBoundAddress_LogsWhatToSetAndDoesNotCallConsul()
    {
        await using var harness = new RegistrationHarness(boundAddresses: []);

        await harness.Service.StartedAsync(Ct);

        Assert.Empty(harness.Client.CallsButWatches);
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

        Assert.Empty(harness.Client.CallsButWatches);
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
        Assert.Equal(["register:" + Id, "watch:" + Id, "watch:" + Id + ":blocking", "watch:" + Id, "register:" + Id], harness.Client.Calls.Take(5));
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

        Assert.Equal(["register:" + Id, "watch:" + Id, "watch:" + Id + ":blocking", "watch:" + Id, "watch:" + Id + ":blocking"], harness.Client.Calls);
        Assert.Empty(harness.Reregistrations.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task AgentUnreachable_ChecksEveryTwoSecondsAtMost_LogsOnce_NotRegistered()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        Assert.True(harness.Service.IsRegistered);

        // The blocked watch fails like a dropped connection; every later check fails too.
        harness.Client.OnWatchAgentService = (_, _, _, _) => Task.FromException<ServiceDiscovery.AspNetCore.Consul.Models.AgentService?>(FakeConsulAgentApi.Unreachable());
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        var shortTimers = harness.Time.DueTimes.Count(d => d <= ServiceDiscovery.AspNetCore.Registration.RegistrationLoop.UnreachableRecheckMaxDelay);
        for (var i = 1; i <= 5; i++)
        {
            // Each failed check waits at most 2 s (jittered backoff capped there), not the 30 s anti-entropy interval.
            await harness.Time.WaitForShortTimersAsync(ServiceDiscovery.AspNetCore.Registration.RegistrationLoop.UnreachableRecheckMaxDelay, shortTimers + i);
            Assert.Equal(2 + i, harness.Client.Count("watch:"));
            Assert.False(harness.Service.IsRegistered);
            harness.Time.Advance(ServiceDiscovery.AspNetCore.Registration.RegistrationLoop.UnreachableRecheckMaxDelay);
        }

        await harness.WaitForCallsAsync("watch:", 8);
        Assert.Equal(1, harness.Client.Count("register:"));
        Assert.Equal(1, harness.LogCount("ConsulVerificationFailed"));
    }

    [Fact]
    public async Task AgentUnreachableAgain_AfterAnsweringInBetween_RechecksFromTheFirstDelayAgain()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));
        var answers = harness.Client.OnWatchAgentService;
        var down = true;
        harness.Client.OnWatchAgentService = (id, hash, wait, ct) =>
            Volatile.Read(ref down) ? Task.FromException<ServiceDiscovery.AspNetCore.Consul.Models.AgentService?>(FakeConsulAgentApi.Unreachable()) : answers(id, hash, wait, ct);

        // First outage: the checks back off 1 s, 2 s, 2 s (capped); then the agent answers and the watch blocks for
        // the rest of the anti-entropy interval (25 s); then it is unreachable again.
        (int Advance, int NextTimer, bool Down)[] steps = [(30, 1, true), (1, 2, true), (2, 2, true), (2, 25, false), (25, 1, true)];
        foreach (var (advance, nextTimer, isDown) in steps)
        {
            var timersBefore = harness.Time.DueTimes.Count;
            Volatile.Write(ref down, isDown);
            harness.Time.Advance(TimeSpan.FromSeconds(advance));
            await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(nextTimer), skip: timersBefore);
        }

        Assert.Equal(2, harness.LogCount("ConsulVerificationFailed"));
        Assert.Equal(1, harness.LogCount("ConsulAgentAnswersAgain"));
    }

    [Fact]
    public async Task AgentRestartsEmpty_RegistersWithinTwoSecondsOfItAnsweringAgain_WhateverTheAntiEntropyInterval()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromHours(1));
        var answers = harness.Client.OnWatchAgentService;
        var restarted = new TaskCompletionSource();
        var answering = true;
        harness.Client.OnWatchAgentService = async (id, hash, wait, ct) =>
        {
            if (hash is not null && !restarted.Task.IsCompleted)
            {
                // The blocking query in flight when the agent goes away ends with a dropped connection.
                await restarted.Task.WaitAsync(ct);
                throw FakeConsulAgentApi.Unreachable();
            }

            return Volatile.Read(ref answering) ? await answers(id, hash, wait, ct) : throw FakeConsulAgentApi.Unreachable();
        };
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("watch:" + Id + ":blocking", 1);
        Assert.True(harness.Service.IsRegistered);

        // The agent restarts empty while the watch is blocked on it, and is unreachable for a while.
        Volatile.Write(ref answering, false);
        harness.Client.Services.Clear();
        restarted.SetResult();
        await harness.WaitForLogAsync("ConsulVerificationFailed");
        await harness.Time.WaitForShortTimersAsync(ServiceDiscovery.AspNetCore.Registration.RegistrationLoop.UnreachableRecheckMaxDelay, 1);
        Assert.False(harness.Service.IsRegistered);

        // It answers again: within one recheck delay (jittered, at most 2 s) the loop registers again.
        Volatile.Write(ref answering, true);
        harness.Time.Advance(ServiceDiscovery.AspNetCore.Registration.RegistrationLoop.UnreachableRecheckMaxDelay);
        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
        Assert.True(harness.Service.IsRegistered);
        Assert.Equal(1, harness.LogCount("ConsulAgentAnswersAgain"));
        Assert.Equal(1, harness.LogCount("ConsulServiceLost"));
    }

    [Theory]
    [InlineData(ConsulCheckKind.Http, "the watch does not list it")]
    [InlineData(ConsulCheckKind.Ttl, "TTL updates are answered 404")]
    [InlineData(ConsulCheckKind.Ttl, "the watch does not list it, though TTL updates are taken")]
    public async Task AgentAcceptsButNeverHoldsTheService_ReregistrationsBackOff(ConsulCheckKind kind, string how)
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.Registration.RetryInitialDelay = TimeSpan.FromSeconds(1);
            o.Registration.RetryMaxDelay = TimeSpan.FromSeconds(8);
            o.Check.Kind = kind;
            o.Check.Ttl = TimeSpan.FromSeconds(30);
        });
        if (how.Contains("404", StringComparison.Ordinal))
        {
            harness.Client.OnUpdateTtl = (checkId, _, _, _) => Task.FromException(FakeConsulAgentApi.NotFound($"Unknown check ID \"{checkId}\"."));
        }
        else
        {
            // A taken heartbeat vouches for the check only: it must not end the run of losses the watch reports.
            harness.Client.OnRegister = (_, _) => Task.CompletedTask;
            harness.Client.OnUpdateTtl = (_, _, _, _) => Task.CompletedTask;
        }

        await harness.Service.StartedAsync(Ct);

        // The first loss re-registers at once; each repeat without the agent holding it in between waits 1 s, 2 s, 4 s... instead of looping.
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, harness.Client.Count("register:"));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(3, harness.Client.Count("register:"));
    }

    [Fact]
    public async Task AntiEntropy_LostReregisteredConfirmedThenLostAgain_SecondReregistrationIsImmediate()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        // First loss: registered again at once, and the agent then confirms it (the watch blocks on its hash again).
        harness.Client.Services.Clear();
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30), skip: 1);
        Assert.True(harness.Service.IsRegistered);

        // Second loss, the clock standing still: a backoff left over from the first loss would wait for it.
        harness.Client.Services.Clear();
        var timersBefore = harness.Time.DueTimes.Count;
        harness.Time.Advance(TimeSpan.FromSeconds(30));

        await harness.WaitForLogAsync("ConsulServiceRegistered", 3);
        Assert.Equal(2, harness.LogCount("ConsulServiceLost"));
        Assert.Equal(2, harness.Reregistrations.GetMeasurementSnapshot().Count);
        Assert.DoesNotContain(harness.Time.DueTimes.Skip(timersBefore), d => d < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Reregistration_FailingAfterEarlierFailedAttempts_BacksOffFromTheFirstDelayAgain()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.AntiEntropyInterval = TimeSpan.FromSeconds(30));
        var failures = 3;
        var register = harness.Client.OnRegister;
        harness.Client.OnRegister = (registration, ct) =>
            Interlocked.Decrement(ref failures) >= 0 ? Task.FromException(FakeConsulAgentApi.Unreachable()) : register(registration, ct);

        // Start-up: three failed attempts (1 s, 2 s, 4 s apart), then registered.
        await harness.Service.StartedAsync(Ct);
        TimeSpan[] startup = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];
        for (var attempt = 0; attempt < startup.Length; attempt++)
        {
            await harness.Time.WaitForTimerAsync(startup[attempt], skip: attempt);
            harness.Time.Advance(startup[attempt]);
        }

        await harness.WaitForLogAsync("ConsulServiceRegistered");
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(30));

        // Later the agent forgets the service and the next registration fails once: the backoff starts over at 1 s.
        Volatile.Write(ref failures, 1);
        harness.Client.Services.Clear();
        var timersBefore = harness.Time.DueTimes.Count;
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        await harness.WaitForLogAsync("ConsulRegistrationFailed", 4);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(1), skip: timersBefore);
        Assert.DoesNotContain(TimeSpan.FromSeconds(8), harness.Time.DueTimes.Skip(timersBefore));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.WaitForLogAsync("ConsulServiceRegistered", 2);
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
        Assert.Equal(["register:" + Id, "deregister:" + Id, "register:orders-blue"], harness.Client.CallsButWatches);
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

        Assert.Equal(["register:" + Id, "deregister:" + Id], harness.Client.CallsButWatches);
        Assert.False(harness.Service.IsRegistered);
    }

    [Theory]
    [InlineData(HealthStatus.Healthy, ConsulCheckStatus.Passing)]
    [InlineData(HealthStatus.Degraded, ConsulCheckStatus.Warning)]
    [InlineData(HealthStatus.Unhealthy, ConsulCheckStatus.Critical)]
    public async Task TtlHeartbeat_AppHealth_ReportedAsCheckStatus(HealthStatus health, ConsulCheckStatus expected)
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.Check.Kind = ConsulCheckKind.Ttl;
            o.Check.Ttl = TimeSpan.FromSeconds(30);
        });
        harness.Health.Status = health;

        await harness.Service.StartedAsync(Ct);

        await harness.WaitForCallsAsync("ttl:", 1);
        Assert.Equal(["register:" + Id, $"ttl:service:{Id}:{expected}"], harness.Client.CallsButWatches);
    }

    [Fact]
    public async Task TtlHeartbeat_EveryThirdOfTtl_FollowsHealthChanges()
    {
        await using var harness = new RegistrationHarness(o =>
        {
            o.Check.Kind = ConsulCheckKind.Ttl;
            o.Check.Ttl = TimeSpan.FromSeconds(30);
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
            o.Check.Kind = ConsulCheckKind.Ttl;
            o.Check.Ttl = TimeSpan.FromSeconds(30);
        });
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(10));

        harness.Client.Services.Clear();
        harness.Time.Advance(TimeSpan.FromSeconds(10));

        await harness.WaitForCallsAsync("ttl:", 3);
        Assert.Equal(
            ["register:" + Id, $"ttl:service:{Id}:Passing", $"ttl:service:{Id}:Passing", "register:" + Id, $"ttl:service:{Id}:Passing"],
            harness.Client.CallsButWatches);
        Assert.Single(harness.Reregistrations.GetMeasurementSnapshot());
    }
}
