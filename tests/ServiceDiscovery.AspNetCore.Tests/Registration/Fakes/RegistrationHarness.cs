// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Health;
using ServiceDiscovery.AspNetCore.Registration;
using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

/// <summary>
/// A <see cref="ConsulRegistrationService"/> wired to fakes: the Consul client, a server bound to given addresses, the
/// machine's network, the app's health, a recording fake clock and a backoff whose jitter the test fixes.
/// </summary>
internal sealed class RegistrationHarness : IAsyncDisposable
{
    public RegistrationHarness(Action<ConsulOptions>? configure = null, string[]? boundAddresses = null, double jitter = 1.0)
    {
        Options = NewOptions(configure);
        Monitor = new TestOptionsMonitor<ConsulOptions>(Options);
        var services = new ServiceCollection();
        services.AddSingleton<IServer>(new FakeServer(boundAddresses ?? ["http://10.0.0.5:5000"]));
        services.AddMetrics();
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        Provider = services.BuildServiceProvider();
        var meterFactory = Provider.GetRequiredService<IMeterFactory>();
        Registrations = new MetricCollector<long>(meterFactory, ConsulTelemetry.Name, "consul.registration.registrations");
        Reregistrations = new MetricCollector<long>(meterFactory, ConsulTelemetry.Name, "consul.registration.reregistrations");
        Failures = new MetricCollector<long>(meterFactory, ConsulTelemetry.Name, "consul.registration.failures");
        State = new MetricCollector<int>(meterFactory, ConsulTelemetry.Name, "consul.registration.state");
        Service = new ConsulRegistrationService(
            Client,
            Monitor,
            Time,
            new FakeNetwork("build-agent", "10.0.0.5"),
            new RegistrationBackoff(() => jitter),
            new RegistrationMetrics(meterFactory),
            new ApplicationHealthProbe(Health),
            Provider.GetRequiredService<ILogger<ConsulRegistrationService>>(),
            Provider.GetRequiredService<IServer>())
        {
            Version = "1.2.3",
        };
    }

    public ConsulOptions Options { get; }

    public TestOptionsMonitor<ConsulOptions> Monitor { get; }

    public FakeConsulAgentApi Client { get; } = new();

    public RecordingTimeProvider Time { get; } = new();

    public FakeHealthCheckService Health { get; } = new();

    public ServiceProvider Provider { get; }

    public ConsulRegistrationService Service { get; }

    public MetricCollector<long> Registrations { get; }

    public MetricCollector<long> Reregistrations { get; }

    public MetricCollector<long> Failures { get; }

    public MetricCollector<int> State { get; }

    public FakeLogCollector Logs => Provider.GetFakeLogCollector();

    public static ConsulOptions NewOptions(Action<ConsulOptions>? configure = null)
    {
        var options = new ConsulOptions { Address = "http://consul.test:8500" };
        options.Service.Name = "orders";
        options.Registration.DrainDelay = TimeSpan.Zero;
        configure?.Invoke(options);
        return options;
    }

    /// <summary>The number of log records with <paramref name="eventName"/>.</summary>
    public int LogCount(string eventName) => Logs.GetSnapshot().Count(r => r.Id.Name == eventName);

    /// <summary>Waits for a log event: it is written after the call it reports has returned and metrics are recorded.</summary>
    public Task WaitForLogAsync(string eventName, int count = 1)
        => Eventually.WaitAsync(() => LogCount(eventName) >= count, TimeSpan.FromSeconds(5), $"{count} '{eventName}' log record(s)");

    public Task WaitForCallsAsync(string prefix, int count)
        => Eventually.WaitAsync(() => Client.Count(prefix) >= count, TimeSpan.FromSeconds(5), $"{count} '{prefix}' call(s); calls so far: {string.Join(", ", Client.Calls)}");

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        Registrations.Dispose();
        Reregistrations.Dispose();
        Failures.Dispose();
        State.Dispose();
        await Provider.DisposeAsync();
    }
}
