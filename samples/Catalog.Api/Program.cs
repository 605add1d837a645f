// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Catalog.Api;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.Samples;

var builder = WebApplication.CreateBuilder(args);
builder.AddSampleTelemetry(); // metrics and traces, when OTEL_EXPORTER_CONSOLE=true or OTEL_EXPORTER_OTLP_ENDPOINT is set

// Registers this app in Consul as "catalog" (appsettings.json) once Kestrel listens, serves /health for Consul's
// check, and deregisters on Ctrl+C or SIGTERM.
builder.Services.AddConsulDiscovery();

// Connect-native mTLS when Consul:Connect:Enabled is true (appsettings.json, or Consul__Connect__Enabled=true): the
// https:// endpoint serves Consul's certificate and admits only callers Consul's intentions allow. Off: no effect.
builder.Services.AddConsulConnect();

// The app's own health, which /health reports and PUT /health-state flips.
builder.Services.AddSingleton<HealthState>();
builder.Services.AddHealthChecks().AddCheck<HealthStateCheck>("catalog-self");

var app = builder.Build();

app.MapGet("/instance", (IConsulRegistration registration) => new InstanceInfo(
    registration.ServiceId,
    registration.ServiceName,
    registration.Endpoint?.Port,
    registration.IsRegistered));

app.MapPut("/health-state/{state}", (string state, HealthState health) =>
    health.TrySet(state) ? Results.Ok(new { state = health.Current.ToString() }) : Results.BadRequest(new { error = "Use healthy, degraded or unhealthy." }));

app.MapGet("/items", () => new[] { new CatalogItem(1, "Keyboard"), new CatalogItem(2, "Mouse") });

app.Run();
