// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

/// <summary>
/// A real ASP.NET Core app on Kestrel (loopback, port 0) that calls <c>AddConsulDiscovery()</c> against a
/// <see cref="ConsulTarget"/> (the test agent or a real Consul), with intervals short enough for fast tests and a health status the test sets.
/// </summary>
internal sealed class RegisteredApp : IAsyncDisposable
{
    private volatile int _health = (int)HealthStatus.Healthy;

    private RegisteredApp(WebApplication app) => App = app;

    public WebApplication App { get; }

    public HealthStatus Health
    {
        get => (HealthStatus)_health;
        set => _health = (int)value;
    }

    public int Port => new Uri(App.Urls.Single()).Port;

    public string ServiceId => App.Services.GetRequiredService<IConsulRegistration>().ServiceId!;

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static RegisteredApp Create(ConsulTarget consul, string serviceName = "orders", Dictionary<string, string?>? settings = null, TimeSpan? shutdownTimeout = null)
        => Create(consul.Address, consul.Token, serviceName, settings, shutdownTimeout);

    /// <summary>An app registered through the agent at <paramref name="agent"/> (e.g. one of another datacenter).</summary>
    public static RegisteredApp Create(Uri agent, string? token, string serviceName, Dictionary<string, string?>? settings = null, TimeSpan? shutdownTimeout = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = agent.ToString(),
            ["Consul:Token"] = token,
            ["Consul:Service:Name"] = serviceName,
            ["Consul:Check:Interval"] = "00:00:01",
            ["Consul:Check:Timeout"] = "00:00:01",
            ["Consul:Registration:AntiEntropyInterval"] = "00:00:01",
            ["Consul:Registration:RetryInitialDelay"] = "00:00:00.100",
            ["Consul:Registration:RetryMaxDelay"] = "00:00:00.500",
            ["Consul:Registration:DrainDelay"] = "00:00:00",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        if (shutdownTimeout is { } timeout)
        {
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = timeout);
        }

        builder.Services.AddConsulDiscovery();
        RegisteredApp? registered = null;
        builder.Services.AddHealthChecks().AddCheck("app", () => new HealthCheckResult(registered!.Health));
        var app = builder.Build();
        app.MapGet("/whoami", (IConsulRegistration registration) => registration.ServiceId);
        registered = new RegisteredApp(app);
        return registered;
    }

    public static async Task<RegisteredApp> StartAsync(ConsulTarget consul, string serviceName = "orders", Dictionary<string, string?>? settings = null)
    {
        var app = Create(consul, serviceName, settings);
        await app.App.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    public string Url(string path) => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}{path}");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and disposed by the test.
        }

        await App.DisposeAsync();
    }
}
