// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// The discovery cache's instruments on the library's <c>ServiceDiscovery.Consul</c> meter. Service names are a
/// dimension (<c>consul.service.name</c>): they are few and chosen by the application, unlike instance ids.
/// </summary>
internal sealed class DiscoveryMetrics
{
    public const string ServiceNameTag = "consul.service.name";

    /// <summary>Where the instances measured by <c>consul.discovery.snapshot.age</c> come from: <see cref="ConsulSource"/> or <see cref="FileSource"/>.</summary>
    public const string SnapshotSourceTag = "consul.discovery.snapshot.source";

    public const string ConsulSource = "consul";

    /// <summary>Served from the fail-static snapshot file (<c>Consul:Discovery:SnapshotPath</c>) before Consul answered.</summary>
    public const string FileSource = "file";

    /// <summary>The <c>consul.discovery.guard</c> value of a void-grace activation.</summary>
    public const string GraceKind = "void_grace";

    /// <summary>The <c>consul.discovery.guard</c> value of a panic activation.</summary>
    public const string PanicKind = "panic";

    /// <summary>The datacenter a name is served from while it fails over (<c>consul.discovery.failovers</c>, <c>consul.discovery.failover.serving</c>).</summary>
    public const string DatacenterTag = "consul.datacenter";

    private readonly Counter<long> _lookups;
    private readonly Counter<long> _staleLookups;
    private readonly Counter<long> _updates;
    private readonly Counter<long> _errors;
    private readonly UpDownCounter<long> _watches;
    private readonly UpDownCounter<long> _staleWatches;
    private readonly Counter<long> _guardActivations;
    private readonly Counter<long> _failovers;
    private volatile Func<IEnumerable<Measurement<double>>>? _snapshotAges;
    private volatile Func<IEnumerable<Measurement<int>>>? _failoverServing;

    public DiscoveryMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ConsulTelemetry.Name);
        _lookups = meter.CreateCounter<long>(
            "consul.discovery.lookups", "{lookup}", "Service lookups answered by the discovery cache.");
        _staleLookups = meter.CreateCounter<long>(
            "consul.discovery.stale_lookups", "{lookup}", "Lookups answered with a last-known-good list Consul could not confirm.");
        _updates = meter.CreateCounter<long>(
            "consul.discovery.updates", "{update}", "Changed instance lists received from Consul.");
        _errors = meter.CreateCounter<long>(
            "consul.discovery.watch.errors", "{error}", "Failed discovery queries to Consul (each retry counts).");
        _watches = meter.CreateUpDownCounter<long>(
            "consul.discovery.watches", "{watch}", "Service names currently watched.");
        _staleWatches = meter.CreateUpDownCounter<long>(
            "consul.discovery.stale_watches", "{watch}", "Watched service names currently served stale (Consul unreachable).");
        _guardActivations = meter.CreateCounter<long>(
            "consul.discovery.guard.activations", "{activation}", "Answers not believed at once (void_grace) or served with all registered instances (panic).");
        _failovers = meter.CreateCounter<long>(
            "consul.discovery.failovers", "{failover}", "Times a name's lookups moved to another datacenter because no local instance passed (tagged with that datacenter).");
        meter.CreateObservableGauge(
            "consul.discovery.failover.serving", () => _failoverServing?.Invoke() ?? [], "{name}", "1 for each name served from another datacenter now, tagged with the name and that datacenter.");
        meter.CreateObservableGauge(
            "consul.discovery.snapshot.age", () => _snapshotAges?.Invoke() ?? [], "s", "Time since Consul last confirmed the instances served for a name.");
    }

    public void Lookup(string serviceName, bool stale)
    {
        // Enabled is false without a listener: the hot path then pays one field read.
        if (_lookups.Enabled)
        {
            _lookups.Add(1, new KeyValuePair<string, object?>(ServiceNameTag, serviceName));
        }

        if (stale && _staleLookups.Enabled)
        {
            _staleLookups.Add(1, new KeyValuePair<string, object?>(ServiceNameTag, serviceName));
        }
    }

    public void Updated(string serviceName) => _updates.Add(1, new KeyValuePair<string, object?>(ServiceNameTag, serviceName));

    public void WatchError(string serviceName, string errorType) => _errors.Add(
        1,
        new KeyValuePair<string, object?>(ServiceNameTag, serviceName),
        new KeyValuePair<string, object?>("error.type", errorType));

    public void GuardActivated(string serviceName, string kind) => _guardActivations.Add(
        1,
        new KeyValuePair<string, object?>(ServiceNameTag, serviceName),
        new KeyValuePair<string, object?>("consul.discovery.guard", kind));

    public void FailedOver(string serviceName, string datacenter) => _failovers.Add(
        1,
        new KeyValuePair<string, object?>(ServiceNameTag, serviceName),
        new KeyValuePair<string, object?>(DatacenterTag, datacenter));

    /// <summary>Sets the source of the failover gauge (one measurement per name served from another datacenter).</summary>
    public void ObserveFailoverServing(Func<IEnumerable<Measurement<int>>> serving) => _failoverServing = serving;

    /// <summary>Sets the source of the snapshot-age gauge (one measurement per watched name).</summary>
    public void ObserveSnapshotAges(Func<IEnumerable<Measurement<double>>> snapshotAges) => _snapshotAges = snapshotAges;

    public void WatchStarted() => _watches.Add(1);

    public void WatchStopped() => _watches.Add(-1);

    public void StaleChanged(bool stale) => _staleWatches.Add(stale ? 1 : -1);
}
