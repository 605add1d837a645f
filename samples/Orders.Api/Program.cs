// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.Samples;

var builder = WebApplication.CreateBuilder(args);
builder.AddSampleTelemetry(); // metrics and traces, when OTEL_EXPORTER_CONSOLE=true or OTEL_EXPORTER_OTLP_ENDPOINT is set

// Settings and feature flags from Consul KV: config/application/, config/orders/, config/orders,{environment}/ (later
// win), kept current by blocking queries. Optional (Consul:KeyValue:Optional): starts without them if Consul is down.
builder.Configuration.AddConsulKeyValue();
builder.Services.Configure<OrdersFeatures>(builder.Configuration.GetSection("Features"));

// Registers this app in Consul as "orders" (appsettings.json) and lets it find others.
builder.Services.AddConsulDiscovery();

// Connect-native mTLS when Consul:Connect:Enabled is true: orders gets its own certificate from Consul, serves its
// https:// endpoint to allowed callers only, and calls Connect-native catalog instances over mTLS. Off: no effect.
builder.Services.AddConsulConnect();

// http://catalog/... reaches a healthy catalog instance, round-robin. The resilience handler goes first (outermost)
// so a retry after a failed connection resolves again and reaches another instance.
var catalogClient = builder.Services.AddHttpClient("catalog", client => client.BaseAddress = new Uri("http://catalog"));
catalogClient.AddStandardResilienceHandler();
catalogClient.AddConsulLoadBalancing();

// Only the leader of "orders-reconciliation" runs the reconciliation job; on shutdown another instance takes over.
builder.Services.AddConsulLeaderElection(OrderReconciliation.ElectionName);
builder.Services.AddHostedService<OrderReconciliation>();

var app = builder.Build();

// Whether this instance leads the reconciliation election.
app.MapGet("/leader", ([FromKeyedServices(OrderReconciliation.ElectionName)] IConsulLeaderElection election)
    => new { election.Name, election.IsLeader });

// Calls catalog's /instance through the discovery-aware HttpClient and returns what it answered.
app.MapGet("/catalog/instance", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
{
    var catalog = clients.CreateClient("catalog");
    var instance = await catalog.GetFromJsonAsync<JsonElement>("/instance", cancellationToken);
    return Results.Json(instance);
});

// What discovery currently knows of catalog (from memory; Consul pushes changes).
app.MapGet("/discovery/catalog", async (IConsulServiceDiscovery discovery, CancellationToken cancellationToken) =>
{
    var instances = await discovery.GetInstancesAsync("catalog", cancellationToken);
    return instances.Select(i => new
    {
        i.Id,
        i.Address,
        i.Port,
        i.Scheme,
        Uri = i.Uri.ToString(),
        CheckStatus = i.CheckStatus.ToString(),
        i.Weight,
        i.Tags,
        instances.IsStale,
    });
});

// The feature flags as the app sees them now: `consul kv put config/orders/Features/NewPricing true` flips NewPricing live.
app.MapGet("/features", (IOptionsMonitor<OrdersFeatures> features) => features.CurrentValue);

app.Run();

/// <summary>Feature flags read from <c>Features:*</c>, e.g. the KV key <c>config/orders/Features/NewPricing</c>.</summary>
internal sealed class OrdersFeatures
{
    /// <summary>Gets or sets a value indicating whether the new pricing is on.</summary>
    public bool NewPricing { get; set; }
}
