// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>One name's part of the fail-static snapshot, alone, over a real store in a temporary folder.</summary>
public sealed class FailStaticStandInTests : IDisposable
{
    private static readonly Uri Consul = new("http://127.0.0.1:8500/");
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-fail-static-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();
    private readonly DiscoverySnapshotStore _store;

    public FailStaticStandInTests()
    {
        _store = new DiscoverySnapshotStore(Path.Combine(_folder, "discovery.json"), TimeSpan.FromDays(1), _time, _logger, () => [], "Consul:Discovery:SnapshotMaxAge");
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void FreshAnswersAreSaved_AndStandInOnlyWhenConsulIsDown_UntilConsulAnswers()
    {
        var snapshot = new FailStaticSnapshot(Query(), _store, _logger);
        snapshot.Save(Snapshot(7, isStale: false));
        snapshot.Save(Snapshot(8, isStale: true)); // not Consul's word: not saved
        _time.Advance(DiscoverySnapshotStore.Debounce);

        var refused = new ConsulException("ACL not found", ConsulErrorReason.ApiError, HttpStatusCode.Forbidden, "ACL not found");
        Assert.False(snapshot.TryStandIn(refused, "403", Consul, out _));
        Assert.False(snapshot.IsStandingIn);

        var down = new ConsulException("refused", ConsulErrorReason.ConnectionFailed, null, null);
        Assert.True(snapshot.TryStandIn(down, "connection_error", Consul, out var saved));
        Assert.True(snapshot.IsStandingIn);
        Assert.Equal(7UL, saved.Index);
        Assert.Equal("catalog-1", Assert.Single(saved.Instances).Id);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryServedFromSnapshotFile");

        snapshot.OnConsulAnswered();
        snapshot.OnConsulAnswered();
        Assert.False(snapshot.IsStandingIn);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotFileReplaced");
    }

    [Fact]
    public void InstancesSavedUnderOtherSettings_DoNotStandIn()
    {
        new FailStaticSnapshot(Query(), _store, _logger).Save(Snapshot(7, isStale: false));
        _time.Advance(DiscoverySnapshotStore.Debounce);

        var filtered = new FailStaticSnapshot(Query(o => o.Discovery.Filter = "Service.Meta.region == \"eu\""), _store, _logger);

        Assert.NotEqual(new FailStaticSnapshot(Query(), _store, _logger).QueryKey, filtered.QueryKey);
        Assert.False(filtered.TryStandIn(new ConsulException("refused", ConsulErrorReason.ConnectionFailed, null, null), "connection_error", Consul, out _));
        Assert.False(filtered.IsStandingIn);
    }

    private static DiscoveryQuery Query(Action<ConsulOptions>? configure = null)
    {
        var options = new ConsulOptions();
        configure?.Invoke(options);
        return DiscoveryQuery.Create("catalog", options);
    }

    private ConsulServiceInstances Snapshot(ulong index, bool isStale) => ConsulServiceInstances.Create(
        "catalog", [new ConsulServiceInstance("catalog-1", "catalog", "10.0.0.1", 8080)], index, _time.GetUtcNow(), isStale, new CancellationChangeToken(CancellationToken.None));
}
