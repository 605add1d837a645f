// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// The discovery cache: one <see cref="ServiceWatch"/> per looked-up name, created by the first lookup, stopped after
/// <see cref="ConsulDiscoveryCacheOptions.IdleTimeout"/> without lookups and on disposal. Each watch runs its own blocking
/// query or is fed by the shared <see cref="DatacenterWatch"/>, as <see cref="ConsulDiscoveryCacheOptions.WatchMode"/> and
/// the connection budget decide (ConsulServiceDiscovery.Modes.cs).
/// </summary>
internal sealed partial class ConsulServiceDiscovery : IConsulServiceDiscovery, IAsyncDisposable, IDisposable
{
    // Names are matched exactly (ordinal): the cheapest hash for the hot path. Consul itself ignores case, so two
    // spellings of one name are two watches of the same service, which is correct, only redundant.
    private readonly ConcurrentDictionary<string, ServiceWatch> _watches = new(StringComparer.Ordinal);
    private readonly IConsulCatalogApi? _catalog;
    private readonly ConsulOptions _options;
    private readonly DiscoveryWatchContext _context;
    private readonly DiscoveryMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer? _idleSweep;
    private volatile bool _disposed;

    public ConsulServiceDiscovery(
        IConsulHealthApi client,
        IConsulCatalogApi catalog,
        IOptions<ConsulOptions> options,
        TimeProvider timeProvider,
        DiscoveryMetrics metrics,
        ILogger<ConsulServiceDiscovery> logger)
        : this(client, catalog, options, timeProvider, metrics, logger, random: null)
    {
    }

    /// <summary>
    /// Test seam: <paramref name="random"/> replaces the retry jitter source; without <paramref name="catalog"/>, every
    /// name runs its own blocking query (the datacenter watch needs <c>/v1/catalog/services</c>).
    /// </summary>
    internal ConsulServiceDiscovery(
        IConsulHealthApi client,
        IConsulCatalogApi? catalog,
        IOptions<ConsulOptions> options,
        TimeProvider timeProvider,
        DiscoveryMetrics metrics,
        ILogger<ConsulServiceDiscovery> logger,
        Func<double>? random)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _catalog = catalog;
        _options = options.Value;
        _metrics = metrics;
        metrics.ObserveSnapshotAges(ObserveSnapshotAges);
        metrics.ObserveFailoverServing(ObserveFailoverServing);
        _logger = logger;
        var snapshots = string.IsNullOrWhiteSpace(_options.Discovery.SnapshotPath)
            ? null
            : new DiscoverySnapshotStore(_options.Discovery.SnapshotPath, _options.Discovery.SnapshotMaxAge, timeProvider, logger, () => _watches.Values, $"{_options.Discovery.SectionPath}:SnapshotMaxAge");
        _context = new DiscoveryWatchContext(client, _options.Discovery, timeProvider, metrics, logger, random ?? Random.Shared.NextDouble, snapshots, catalog);

        var idle = _options.Discovery.IdleTimeout;
        if (idle != Timeout.InfiniteTimeSpan)
        {
            // Sweeping four times per idle period evicts a name between IdleTimeout and 1.5 x IdleTimeout after its last lookup.
            var period = idle / 4;
            _idleSweep = timeProvider.CreateTimer(static state => ((ConsulServiceDiscovery)state!).SweepIdle(), this, period, period);
        }
    }

    /// <summary>The names currently watched (for diagnostics and tests).</summary>
    internal ICollection<string> WatchedNames => _watches.Keys;

    /// <summary>Whether the datacenter watch still refreshes <paramref name="serviceName"/>: an evicted name leaves the cache first, then the datacenter watch.</summary>
    internal bool IsFedByDatacenterWatch(string serviceName) => _datacenter?.Feeds(serviceName) ?? false;

    /// <summary>The watch of <paramref name="serviceName"/>, if one runs (tests call into it as the datacenter watch does).</summary>
    internal ServiceWatch? FindWatch(string serviceName) => _watches.TryGetValue(serviceName, out var watch) ? watch : null;

    /// <summary>Whether <paramref name="serviceName"/>'s failover datacenters are being watched (no local instance passes).</summary>
    internal bool IsFailingOver(string serviceName) => _watches.TryGetValue(serviceName, out var watch) && watch.Failover is { IsActive: true };

    public ValueTask<ConsulServiceInstances> GetInstancesAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        if (_watches.TryGetValue(serviceName, out var watch) && watch.Current is { } current)
        {
            watch.Idle.Touch();
            _metrics.Lookup(serviceName, current.IsStale);
            return new ValueTask<ConsulServiceInstances>(current);
        }

        return new ValueTask<ConsulServiceInstances>(GetInstancesSlowAsync(serviceName, cancellationToken));
    }

    public bool TryGetCached(string serviceName, [NotNullWhen(true)] out ConsulServiceInstances? instances)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        if (_watches.TryGetValue(serviceName, out var watch) && watch.Current is { } current)
        {
            watch.Idle.Touch();
            _metrics.Lookup(serviceName, current.IsStale);
            instances = current;
            return true;
        }

        instances = null;
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_idleSweep is not null)
        {
            await _idleSweep.DisposeAsync().ConfigureAwait(false);
        }

        if (_datacenter is not null)
        {
            await _datacenter.DisposeAsync().ConfigureAwait(false);
        }

        var watches = _watches.Values.ToArray();
        _watches.Clear();
        await Task.WhenAll(watches.Select(watch => watch.StopAsync(notifyConsumers: false))).ConfigureAwait(false);
        foreach (var watch in watches)
        {
            watch.Dispose();
        }

        // Last: the final write holds every answer the watches published.
        _context.Snapshots?.Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        // Synchronous disposal cancels every watch without waiting for the loops to unwind.
        _disposed = true;
        _idleSweep?.Dispose();
        if (_datacenter is not null)
        {
            _ = _datacenter.DisposeAsync().AsTask();
        }

        foreach (var watch in _watches.Values)
        {
            _ = watch.StopAsync(notifyConsumers: false);
        }

        _watches.Clear();
        _context.Snapshots?.Dispose();
    }

    private async Task<ConsulServiceInstances> GetInstancesSlowAsync(string serviceName, CancellationToken cancellationToken)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var watch = GetOrAddWatch(serviceName);
            watch.Idle.Touch();
            StartWatch(watch);
            if (_disposed)
            {
                // Disposal raced with this lookup and may have missed the new watch.
                await watch.StopAsync(notifyConsumers: false).ConfigureAwait(false);
                ObjectDisposedException.ThrowIf(true, this);
            }

            try
            {
                var instances = await watch.WaitForInstancesAsync(cancellationToken).ConfigureAwait(false);
                _metrics.Lookup(serviceName, instances.IsStale);
                return instances;
            }
            catch (ObjectDisposedException) when (!_disposed && watch.IsStopped)
            {
                // Evicted between our lookup and its first answer: watch the name again (never the stopped watch).
                _watches.TryRemove(new KeyValuePair<string, ServiceWatch>(serviceName, watch));
            }
        }
    }

    private ServiceWatch GetOrAddWatch(string serviceName)
    {
        if (_watches.TryGetValue(serviceName, out var existing))
        {
            return existing;
        }

        var created = new ServiceWatch(DiscoveryQuery.Create(serviceName, _options), _context);
        var watch = _watches.GetOrAdd(serviceName, created);
        if (!ReferenceEquals(watch, created))
        {
            created.Dispose();
        }

        return watch;
    }

    private void SweepIdle()
    {
        var time = _context.TimeProvider;
        var now = time.GetTimestamp();
        var idle = _options.Discovery.IdleTimeout;
        foreach (var (name, watch) in _watches)
        {
            if (watch.Idle.ConsumeTouched())
            {
                watch.Idle.LastActive = now;
                continue;
            }

            if (time.GetElapsedTime(watch.Idle.LastActive, now) >= idle
                && _watches.TryRemove(new KeyValuePair<string, ServiceWatch>(name, watch)))
            {
                Log.WatchEvicted(_logger, name, idle);
                OnWatchEnded(watch);
                _ = StopEvictedAsync(watch);
            }
        }
    }

    private static async Task StopEvictedAsync(ServiceWatch watch)
    {
        await watch.StopAsync(notifyConsumers: true).ConfigureAwait(false);
        watch.Dispose();
    }
}
