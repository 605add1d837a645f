// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// What every watch of one discovery cache shares, fixed for the cache's life: the Consul client, the
/// <c>Consul:Discovery</c> settings, time, telemetry, the jitter source, the fail-static snapshot store and the catalog.
/// </summary>
/// <param name="client">The health API every query goes to.</param>
/// <param name="options">The discovery settings.</param>
/// <param name="timeProvider">Time for delays, ages and the void grace period.</param>
/// <param name="metrics">The discovery instruments.</param>
/// <param name="logger">The cache's logger.</param>
/// <param name="random">A uniform source in [0, 1] for the jitter of waits and retry delays; tests fix or seed it.</param>
/// <param name="snapshots">The fail-static snapshot store, or <see langword="null"/> without <c>SnapshotPath</c>.</param>
/// <param name="catalog">The catalog API, for the datacenter list a <c>NearestN</c> failover orders by; <see langword="null"/> in tests that need none.</param>
internal sealed class DiscoveryWatchContext(
    IConsulHealthApi client,
    ConsulDiscoveryCacheOptions options,
    TimeProvider timeProvider,
    DiscoveryMetrics metrics,
    ILogger logger,
    Func<double> random,
    DiscoverySnapshotStore? snapshots,
    IConsulCatalogApi? catalog = null)
{
    public IConsulHealthApi Client { get; } = client;

    public ConsulDiscoveryCacheOptions Options { get; } = options;

    public TimeProvider TimeProvider { get; } = timeProvider;

    public DiscoveryMetrics Metrics { get; } = metrics;

    public ILogger Logger { get; } = logger;

    public Func<double> Random { get; } = random;

    public DiscoverySnapshotStore? Snapshots { get; } = snapshots;

    public IConsulCatalogApi? Catalog { get; } = catalog;
}
