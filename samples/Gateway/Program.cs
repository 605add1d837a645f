// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Gateway;
using ServiceDiscovery.Samples;

var builder = WebApplication.CreateBuilder(args);
builder.AddSampleTelemetry(); // metrics and traces, when OTEL_EXPORTER_CONSOLE=true or OTEL_EXPORTER_OTLP_ENDPOINT is set

// /catalog/** → a healthy "catalog" instance from Consul (CONSUL_HTTP_ADDR), following Consul as instances come and go.
builder.AddGateway();
builder.Services.AddHealthChecks(); // /health: the AppHost's health check for this app


var app = builder.Build();
app.MapGateway();
app.MapHealthChecks("/health");
app.Run();
