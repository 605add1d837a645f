// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>A <see cref="ConsulServiceDiscovery"/> wired to a <see cref="FakeConsulHealthApi"/>, fake time and a fake logger.</summary>
internal sealed class DiscoveryHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="configure">Changes the options.</param>
    /// <param name="jitter">The jitter source's constant value.</param>
    /// <param name="catalog">A catalog fake, which enables the datacenter watch; without it every name runs its own query.</param>
    public DiscoveryHarness(Action<ConsulOptions>? configure = null, double jitter = 1.0, FakeConsulCatalogApi? catalog = null)
    {
        var options = new ConsulOptions();
        configure?.Invoke(options);
        Options = options;
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        Metrics = new DiscoveryMetrics(MeterFactory);
        Discovery = new ConsulServiceDiscovery(Client, catalog, Microsoft.Extensions.Options.Options.Create(options), Time, Metrics, Logger, () => jitter);
    }

    public ConsulOptions Options { get; }

    public FakeConsulHealthApi Client { get; } = new();

    public ObservableFakeTimeProvider Time { get; } = new();

    public FakeLogger<ConsulServiceDiscovery> Logger { get; } = new();

    public IMeterFactory MeterFactory { get; }

    public DiscoveryMetrics Metrics { get; }

    public ConsulServiceDiscovery Discovery { get; }

    /// <summary>Starts a first lookup of <paramref name="name"/>, answers its request with <paramref name="entries"/> at <paramref name="index"/>, and returns the result.</summary>
    public async Task<ConsulServiceInstances> FirstLookupAsync(string name, ulong index, params ServiceDiscovery.AspNetCore.Consul.Models.ServiceEntry[] entries)
    {
        var lookup = Discovery.GetInstancesAsync(name, TestContext.Current.CancellationToken);
        var request = await Client.NextRequestAsync(name);
        request.Respond(index, entries);
        return await lookup;
    }

    public async ValueTask DisposeAsync()
    {
        await Discovery.DisposeAsync();
        await _services.DisposeAsync();
    }
}
