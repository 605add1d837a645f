// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// The configuration source's own Consul client. A configuration provider is built before the app's service provider
/// exists, so it cannot take the app's client; it composes the same client layer by hand instead: one connection pool
/// (<see cref="ConsulHttpHandlerFactory"/>, as the app's named client uses), the same <see cref="ConsulApiClient"/> and
/// telemetry, no service provider of its own.
/// </summary>
internal sealed class KeyValueClient : IDisposable
{
    private readonly SocketsHttpHandler _handler;
    private readonly StandaloneMeterFactory _meters = new();

    public KeyValueClient(ConsulClientOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        _handler = ConsulHttpHandlerFactory.Create(options);
        var telemetry = new ConsulTelemetry(_meters);
        Api = new ConsulApiClient(new OneHandlerClientFactory(_handler), new FixedOptionsMonitor(options), timeProvider, telemetry, loggerFactory.CreateLogger<ConsulApiClient>());
        Meter = telemetry.Meter;
        SectionPath = options.SectionPath;
        MalformedDocuments = Meter.CreateCounter<long>(
            "consul.config.malformed_documents", unit: "{document}", description: "Consul KV documents that failed to parse; their keys kept their previous values.");
        ReloadErrors = Meter.CreateCounter<long>(
            "consul.config.reload.errors", unit: "{error}", description: "Reloads whose change callbacks (e.g. the options binder) threw; the watch went on.");
    }

    public IConsulKeyValueApi Api { get; }

    /// <summary>The section the connection settings came from, for messages that name a key.</summary>
    public string SectionPath { get; }

    public Meter Meter { get; }

    public Counter<long> MalformedDocuments { get; }

    /// <summary>Counts reloads whose change callbacks threw (the options binder refusing a value, a user's callback).</summary>
    public Counter<long> ReloadErrors { get; }

    public void Dispose()
    {
        _meters.Dispose();
        _handler.Dispose();
    }

    /// <summary>The source's settings are fixed once built: it has no configuration to reload them from.</summary>
    private sealed class FixedOptionsMonitor(ConsulClientOptions value) : IOptionsMonitor<ConsulClientOptions>
    {
        public ConsulClientOptions CurrentValue => value;

        public ConsulClientOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsulClientOptions, string?> listener) => null;
    }

    /// <summary>Every client shares the one pooled handler; the client's own timeouts apply per request, as in the app's named client.</summary>
    private sealed class OneHandlerClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Creates the source's meters (the library's one meter name) and disposes them with the source.</summary>
    private sealed class StandaloneMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            lock (_meters)
            {
                _meters.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (_meters)
            {
                _meters.ForEach(static m => m.Dispose());
                _meters.Clear();
            }
        }
    }
}
