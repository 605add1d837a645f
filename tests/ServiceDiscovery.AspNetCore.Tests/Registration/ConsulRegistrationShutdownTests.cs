// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

/// <summary>Shutdown: deregister (or maintenance) before the server stops, then drain, within the host's timeout.</summary>
public sealed class ConsulRegistrationShutdownTests
{
    private const string Id = "orders-10.0.0.5-5000";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoppingAsync_Registered_DeregistersThenDrains()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.DrainDelay = TimeSpan.FromSeconds(5));
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);

        var stopping = harness.Service.StoppingAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["register:" + Id, "deregister:" + Id], harness.Client.CallsButWatches);
        Assert.Empty(harness.Client.Services);
        Assert.False(stopping.IsCompleted, "the drain must hold shutdown until it elapses");
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await stopping.WaitAsync(Deadline, Ct);
        var events = harness.Logs.GetSnapshot().Select(r => r.Id.Name).Where(n => n is "ConsulServiceDeregistered" or "ConsulDraining");
        Assert.Equal(["ConsulServiceDeregistered", "ConsulDraining"], events);
        harness.State.RecordObservableInstruments();
        Assert.Equal(0, harness.State.LastMeasurement!.Value);
    }

    [Fact]
    public async Task StoppingAsync_LongDrainAndHostTimeoutFires_ReturnsPromptlyAndSaysSo()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.DrainDelay = TimeSpan.FromHours(1));
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);
        using var hostShutdown = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var stopping = harness.Service.StoppingAsync(hostShutdown.Token);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromHours(1));
        Assert.False(stopping.IsCompleted, "the drain holds shutdown until the host's timeout");
        await hostShutdown.CancelAsync();

        await stopping.WaitAsync(Deadline, Ct);
        Assert.Equal(["register:" + Id, "deregister:" + Id], harness.Client.CallsButWatches);
        Assert.Equal(1, harness.LogCount("ConsulDrainCutShort"));
    }

    [Fact]
    public async Task StoppingAsync_ConsulNeverAnswers_ReturnsWhenTheHostTimeoutFires()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.DrainDelay = TimeSpan.FromSeconds(5));
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);
        harness.Client.OnDeregister = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return true;
        };
        using var hostShutdown = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var stopping = harness.Service.StoppingAsync(hostShutdown.Token);
        await harness.WaitForCallsAsync("deregister:", 1);
        Assert.False(stopping.IsCompleted);
        await hostShutdown.CancelAsync();

        await stopping.WaitAsync(Deadline, Ct);
        Assert.Equal(1, harness.LogCount("ConsulDeregistrationTimedOut"));
        Assert.DoesNotContain(TimeSpan.FromSeconds(5), harness.Time.DueTimes);
    }

    [Fact]
    public async Task StoppingAsync_RegistrationInFlight_StopsTheLoopAndStillDeregisters()
    {
        await using var harness = new RegistrationHarness();
        harness.Client.OnRegister = async (_, ct) => await Task.Delay(Timeout.Infinite, ct);
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);

        await harness.Service.StoppingAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.True(harness.Service.Loop.IsCompleted);
        Assert.Equal(["register:" + Id, "deregister:" + Id], harness.Client.CallsButWatches);
    }

    [Fact]
    public async Task StoppingAsync_NeverRegistered_DoesNotCallConsulOrDrain()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.DrainDelay = TimeSpan.FromSeconds(5));
        harness.Client.OnRegister = (_, _) => Task.FromException(FakeConsulAgentApi.Unreachable());
        await harness.Service.StartedAsync(Ct);
        await harness.Time.WaitForTimerAsync(TimeSpan.FromSeconds(1));

        await harness.Service.StoppingAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(["register:" + Id], harness.Client.CallsButWatches);
        Assert.DoesNotContain(TimeSpan.FromSeconds(5), harness.Time.DueTimes);
    }

    [Fact]
    public async Task StoppingAsync_MaintenanceMode_EntersMaintenanceInsteadOfDeregistering()
    {
        await using var harness = new RegistrationHarness(o => o.Registration.ShutdownMode = ConsulShutdownMode.Maintenance);
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);

        await harness.Service.StoppingAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.Equal(["register:" + Id, $"maintenance:{Id}:True"], harness.Client.CallsButWatches);
        Assert.Contains(Id, harness.Client.Services.Keys);
    }

    [Fact]
    public async Task StoppingAsync_CalledTwice_DeregistersOnce()
    {
        await using var harness = new RegistrationHarness();
        await harness.Service.StartedAsync(Ct);
        await harness.WaitForCallsAsync("register:", 1);

        await harness.Service.StoppingAsync(Ct);
        await harness.Service.StoppingAsync(Ct);

        Assert.Equal(1, harness.Client.Count("deregister:"));
    }
}
