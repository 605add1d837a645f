// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

public sealed class ConnectCertificateSourceTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TestConnectCa _ca = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly FakeLogCollector _logs = new();
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StartAsync_ReadsLeafWithKeyAndRoots()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));
        using var source = Source(api);

        await source.StartAsync(Ct);

        var leaf = source.CurrentLeaf();
        Assert.NotNull(leaf);
        Assert.True(leaf.Certificate.HasPrivateKey);
        Assert.Equal(TestConnectCa.ServiceUri(_ca.TrustDomain, "catalog"), leaf.ServiceUri);
        Assert.Empty(leaf.Intermediates);
        var trust = Assert.IsType<ConnectTrust>(source.Trust);
        Assert.Equal(_ca.Root.Thumbprint, Assert.Single(trust.Roots).Thumbprint);
        Assert.Equal(_ca.TrustDomain, trust.TrustDomain);
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Name == "ConnectLeafIssued");
        await source.StopAsync(Ct);
    }

    [Fact]
    public async Task StartAsync_AgentWithoutConnect_FailsNamingTheSetting()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog")) { Failure = FakeConsulConnectApi.ConnectDisabled() };
        using var source = Source(api);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => source.StartAsync(Ct));

        Assert.Contains("Consul:Connect:Enabled is true", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connect must be enabled in order to use this endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("set Consul:Connect:Enabled to false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_TokenWithoutServiceWrite_SaysWhichPolicyIsMissing()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"))
        {
            Failure = new ConsulException("403", ConsulErrorReason.ApiError, System.Net.HttpStatusCode.Forbidden, "Permission denied: token with AccessorID 'x' lacks permission 'service:write' on \"catalog\""),
        };
        using var source = Source(api);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => source.StartAsync(Ct));

        Assert.Contains("needs service:write on the service's own name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Renewal_SwapsLeafWithoutRestart()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));
        using var source = Source(api);
        await source.StartAsync(Ct);
        var first = source.CurrentLeaf()!;

        api.SetLeaf(_ca.AgentLeaf("catalog"));

        await Eventually.WaitAsync(() => !ReferenceEquals(source.Leaf, first), Deadline, "the renewed leaf replaces the first");
        Assert.NotEqual(first.SerialNumber, source.CurrentLeaf()!.SerialNumber);
        await source.StopAsync(Ct);
    }

    [Fact]
    public async Task RootRotation_TrustsOldAndNewRoots()
    {
        using var next = new TestConnectCa("99999999-2222-3333-4444-555555555555");
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));
        using var source = Source(api);
        await source.StartAsync(Ct);

        api.SetRoots(next.Roots(_ca));

        await Eventually.WaitAsync(() => source.Trust!.Roots.Count == 2, Deadline, "both roots are trusted during the rotation");
        Assert.Equal(next.Id, source.Trust!.ActiveRootId);
        await source.StopAsync(Ct);
    }

    [Fact]
    public async Task AgentUnreachable_KeepsServingUntilExpiry_ThenRefuses()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog", notBefore: _time.GetUtcNow().AddMinutes(-1), lifetime: TimeSpan.FromHours(2)));
        using var source = Source(api);
        await source.StartAsync(Ct);
        var leaf = source.CurrentLeaf()!;

        api.GoDown(FakeConsulConnectApi.Unreachable());
        await Eventually.WaitAsync(() => _logs.GetSnapshot().Any(r => r.Id.Name == "ConnectWatchFailed"), Deadline, "the failure is logged");

        _time.Advance(TimeSpan.FromMinutes(90));
        Assert.Same(leaf, source.CurrentLeaf());

        _time.Advance(TimeSpan.FromMinutes(31));
        Assert.Null(source.CurrentLeaf());
        Assert.Null(source.CurrentLeaf());
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "ConnectLeafUnusable");
        await source.StopAsync(Ct);
    }

    [Fact]
    public async Task AgentBack_NewLeafIsServedAndRecoveryLogged()
    {
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));
        using var source = Source(api);
        await source.StartAsync(Ct);
        var first = source.Leaf;
        api.GoDown(FakeConsulConnectApi.Unreachable());
        await Eventually.WaitAsync(() => _logs.GetSnapshot().Count(r => r.Id.Name == "ConnectWatchFailed") == 2, Deadline, "both loops fail");

        api.Failure = null;
        api.SetLeaf(_ca.AgentLeaf("catalog"));
        var reads = api.Reads;
        // The loops wait out their backoff on the fake clock: advance until both have retried.
        await Eventually.WaitAsync(() => { _time.Advance(TimeSpan.FromSeconds(1)); return api.Reads >= reads + 2 && !ReferenceEquals(first, source.Leaf); }, Deadline, "the loops retry after their backoff");

        await Eventually.WaitAsync(() => _logs.GetSnapshot().Count(r => r.Id.Name == "ConnectWatchRecovered") == 2, Deadline, "both loops recover");
        await source.StopAsync(Ct);
    }

    [Fact]
    public async Task Metrics_ReportLeafAgeAndTimeToExpiry()
    {
        var start = _time.GetUtcNow().AddMinutes(-1);
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog", notBefore: start, lifetime: TimeSpan.FromHours(72)));
        using var age = new MetricCollector<double>(Meters, ConsulTelemetry.Name, "consul.connect.certificate.age");
        using var expiry = new MetricCollector<double>(Meters, ConsulTelemetry.Name, "consul.connect.certificate.expiry");
        using var source = Source(api);
        await source.StartAsync(Ct);

        _time.Advance(TimeSpan.FromHours(1));
        age.RecordObservableInstruments();
        expiry.RecordObservableInstruments();

        // Certificates keep whole seconds, so the measured values are exact.
        var notBefore = source.Leaf!.ValidAfter;
        Assert.Equal((_time.GetUtcNow() - notBefore).TotalSeconds, age.LastMeasurement!.Value, precision: 3);
        Assert.Equal((source.Leaf.ValidBefore - _time.GetUtcNow()).TotalSeconds, expiry.LastMeasurement!.Value, precision: 3);
        Assert.Equal("catalog", age.LastMeasurement.Tags["consul.service.name"]);
        await source.StopAsync(Ct);
    }

    public void Dispose()
    {
        _ca.Dispose();
        _provider.Dispose();
    }

    private ConnectCertificateSource Source(FakeConsulConnectApi api) => new(
        api, "catalog", "Consul:Connect:Enabled", _time, new ConnectMetrics(Meters), new FakeLogger<ConnectCertificateSource>(_logs), random: () => 0);
}
