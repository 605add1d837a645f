// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ServiceDiscovery.Samples;

/// <summary>
/// OpenTelemetry for the samples, on only when an exporter is configured: <c>OTEL_EXPORTER_CONSOLE=true</c> prints
/// metrics and spans to the console, <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> sends them over OTLP (both may be set). Exports
/// this library's meter and activity source (<c>ServiceDiscovery.Consul</c>) with ASP.NET Core's and HttpClient's.
/// </summary>
internal static class SampleTelemetry
{
    public static WebApplicationBuilder AddSampleTelemetry(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var console = string.Equals(builder.Configuration["OTEL_EXPORTER_CONSOLE"], "true", StringComparison.OrdinalIgnoreCase);
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        if (!console && !otlp)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(builder.Environment.ApplicationName)) // OTEL_SERVICE_NAME overrides it
            .WithMetrics(metrics =>
            {
                metrics.AddMeter("ServiceDiscovery.Consul", "Microsoft.AspNetCore.Hosting", "System.Net.Http");
                if (console)
                {
                    metrics.AddConsoleExporter();
                }

                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource("ServiceDiscovery.Consul", "Microsoft.AspNetCore", "System.Net.Http");
                if (console)
                {
                    tracing.AddConsoleExporter();
                }

                if (otlp)
                {
                    tracing.AddOtlpExporter();
                }
            });
        return builder;
    }
}
