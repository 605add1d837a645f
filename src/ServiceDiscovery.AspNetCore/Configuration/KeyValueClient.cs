// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// The configuration source's own Consul client: a configuration provider is built before the app's service provider,
/// so it gets a private one holding the same client layer (<see cref="ConsulClientServiceCollectionExtensions.AddConsulClient"/>).
/// </summary>
internal sealed class KeyValueClient : IDisposable
{
    private readonly ServiceProvider _services;

    public KeyValueClient(ConsulClientOptions options, ILoggerFactory loggerFactory, TimeProvider timeProvider)
    {
        var services = new ServiceCollection();
        services.AddSingleton(loggerFactory);
        services.AddSingleton(timeProvider);
        services.AddSingleton<IOptionsMonitor<ConsulClientOptions>>(new FixedOptionsMonitor(options));
        services.AddConsulClient();
        _services = services.BuildServiceProvider();
        Api = _services.GetRequiredService<IConsulKeyValueApi>();
        Meter = _services.GetRequiredService<ConsulTelemetry>().Meter;
        MalformedDocuments = Meter.CreateCounter<long>(
            "consul.config.malformed_documents", unit: "{document}", description: "Consul KV documents that failed to parse; their keys kept their previous values.");
    }

    public IConsulKeyValueApi Api { get; }

    public Meter Meter { get; }

    public Counter<long> MalformedDocuments { get; }

    public void Dispose() => _services.Dispose();

    /// <summary>The source's settings are fixed once built: it has no configuration to reload them from.</summary>
    private sealed class FixedOptionsMonitor(ConsulClientOptions value) : IOptionsMonitor<ConsulClientOptions>
    {
        public ConsulClientOptions CurrentValue => value;

        public ConsulClientOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsulClientOptions, string?> listener) => null;
    }
}
