// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;

namespace Demo;

/// <summary>
/// The demo's apps, hosted in this process on 127.0.0.1 and free ports: the same shape as samples/Catalog.Api and
/// samples/Orders.Api (AddConsulDiscovery, /health from the app's own health check, http://catalog through the
/// HttpClient integration), with 1-second check intervals so the walk-through takes seconds.
/// </summary>
internal static class DemoApps
{
    public static async Task<RunningApp> StartCatalogAsync(Uri consul, CancellationToken cancellationToken)
    {
        var health = new HealthFlag();
        var builder = CreateBuilder(consul, "catalog");
        builder.Services.AddHealthChecks().AddCheck("catalog-self", () => new HealthCheckResult(health.Status));
        var app = builder.Build();
        app.MapGet("/instance", (IConsulRegistration registration) => new { id = registration.ServiceId, port = registration.Endpoint?.Port });
        await app.StartAsync(cancellationToken);
        return new RunningApp(app, health);
    }

    public static async Task<RunningApp> StartOrdersAsync(Uri consul, CancellationToken cancellationToken, Dictionary<string, string?>? settings = null)
    {
        var builder = CreateBuilder(consul, "orders");
        builder.Configuration.AddInMemoryCollection(settings ?? []);

        // Like samples/Orders.Api: settings and feature flags from Consul KV (config/orders/...), pushed live.
        builder.Configuration.AddConsulKeyValue();
        builder.Services.Configure<DemoFeatures>(builder.Configuration.GetSection("Features"));
        var catalog = builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog"));
        catalog.AddStandardResilienceHandler();
        catalog.AddConsulLoadBalancing();
        var app = builder.Build();
        app.MapGet("/catalog/instance", async (IHttpClientFactory clients, CancellationToken ct) =>
            Results.Json(await clients.CreateClient("catalog").GetFromJsonAsync<InstanceAnswer>("/instance", ct)));
        app.MapGet("/discovery/catalog", async (IConsulServiceDiscovery discovery, CancellationToken ct) =>
            (await discovery.GetInstancesAsync("catalog", ct)).Select(i => i.Id).ToArray());
        app.MapGet("/features", (IOptionsMonitor<DemoFeatures> features) => features.CurrentValue);
        await app.StartAsync(cancellationToken);
        return new RunningApp(app, Health: null);
    }

    /// <summary>A demo app's builder: <c>AddConsulDiscovery()</c> as <paramref name="name"/> on <paramref name="urls"/> (a free http port by default).</summary>
    public static WebApplicationBuilder CreateBuilder(Uri consul, string name, params string[] urls)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls.Length > 0 ? urls : ["http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.ToString(),
            ["Consul:Service:Name"] = name,
            ["Consul:Service:Tags:0"] = "demo",
            ["Consul:Check:Interval"] = "00:00:01",
            ["Consul:Check:Timeout"] = "00:00:01",
            ["Consul:Registration:DrainDelay"] = "00:00:01",
        });
        builder.Services.AddConsulDiscovery();
        return builder;
    }
}

/// <summary>The feature flags orders reads from Consul KV (<c>Features:NewPricing</c>), as Orders.Api does.</summary>
internal sealed class DemoFeatures
{
    public bool NewPricing { get; set; }
}

/// <summary>What catalog's /instance answers.</summary>
internal sealed record InstanceAnswer(string Id, int? Port);

/// <summary>The health a demo catalog reports; the demo flips it to show Consul following.</summary>
internal sealed class HealthFlag
{
    private volatile int _status = (int)HealthStatus.Healthy;

    public HealthStatus Status
    {
        get => (HealthStatus)_status;
        set => _status = (int)value;
    }
}

/// <summary>An app the demo started, with its Consul instance id and base URL.</summary>
internal sealed record RunningApp(WebApplication App, HealthFlag? Health) : IAsyncDisposable
{
    public string ServiceId => App.Services.GetRequiredService<IConsulRegistration>().ServiceId ?? "(not yet known)";

    public Uri BaseAddress => new(App.Urls.Single());

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync(CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // Already stopped by the walk-through.
        }

        await App.DisposeAsync();
    }
}
