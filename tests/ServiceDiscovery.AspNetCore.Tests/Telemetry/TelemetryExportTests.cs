// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Telemetry;

/// <summary>
/// What an OpenTelemetry user exports from the <c>ServiceDiscovery.Consul</c> meter and activity source, through the
/// SDK and its in-memory exporter: a registered app, discovery and <c>http://catalog</c> calls with an ACL token, and a
/// Consul that refuses connections. Checks the instruments' names, units and attributes (the list in docs/telemetry.md),
/// that no instrument carries an instance id, that a refused connection is <c>error.type=connection_error</c>, and that
/// the token appears nowhere. The SDK listens process-wide, so measurements of tests running alongside are checked too.
/// </summary>
public sealed class TelemetryExportTests : IAsyncLifetime
{
    private const string Source = "ServiceDiscovery.Consul";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Every instrument of the library: unit, and the attributes it may carry.</summary>
    private static readonly Dictionary<string, (string Unit, string[] Attributes)> Instruments = new()
    {
        ["consul.client.requests"] = ("{request}", ["consul.endpoint", "http.request.method", "http.response.status_code", "error.type"]),
        ["consul.client.request.duration"] = ("s", ["consul.endpoint", "http.request.method", "http.response.status_code", "error.type"]),
        ["consul.registration.registrations"] = ("{registration}", ["consul.service.name", "consul.registration.reason"]),
        ["consul.registration.reregistrations"] = ("{registration}", ["consul.service.name"]),
        ["consul.registration.failures"] = ("{failure}", ["consul.service.name", "consul.registration.operation", "error.type"]),
        ["consul.registration.state"] = ("{state}", ["consul.service.name"]),
        ["consul.discovery.lookups"] = ("{lookup}", ["consul.service.name"]),
        ["consul.discovery.stale_lookups"] = ("{lookup}", ["consul.service.name"]),
        ["consul.discovery.updates"] = ("{update}", ["consul.service.name"]),
        ["consul.discovery.watch.errors"] = ("{error}", ["consul.service.name", "error.type"]),
        ["consul.discovery.watches"] = ("{watch}", []),
        ["consul.discovery.stale_watches"] = ("{watch}", []),
        ["consul.discovery.guard.activations"] = ("{activation}", ["consul.service.name", "consul.discovery.guard"]),
        ["consul.discovery.snapshot.age"] = ("s", ["consul.service.name"]),
        ["consul.http.requests"] = ("{request}", ["consul.service.name"]),
        ["consul.http.no_instance"] = ("{request}", ["consul.service.name"]),
        ["consul.http.ejections"] = ("{ejection}", ["consul.service.name"]),
    };

    private static readonly string[] SpanAttributes =
        ["consul.endpoint", "http.request.method", "server.address", "server.port", "http.response.status_code", "error.type"];

    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Activity> _spans = [];
    private ConsulTarget _consul = null!;
    private MeterProvider _meterProvider = null!;
    private TracerProvider _tracerProvider = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(Source).AddInMemoryExporter(_metrics).Build();
        _tracerProvider = Sdk.CreateTracerProviderBuilder().AddSource(Source).AddInMemoryExporter(_spans).Build();
    }

    public async ValueTask DisposeAsync()
    {
        _tracerProvider.Dispose();
        _meterProvider.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task ExportedMetricsAndSpans_HaveTheDocumentedNamesUnitsAndAttributes_AndNeverTheToken()
    {
        // A real token on a real Consul; on the test agent (ACLs off) any value is sent and must still never show.
        var token = _consul.Token ?? "d6c1f3a4-telemetry-secret-token";
        var catalog = _consul.ServiceName("catalog");
        await using var app = await RegisteredApp.StartAsync(_consul, catalog, new() { ["Consul:Token"] = token });
        await _consul.WaitUntilAsync(s => s.CheckStatus(app.ServiceId) == "passing", Deadline, "the app passes");

        await using (var client = ClientServices(_consul.Address, token))
        {
            var http = client.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(app.ServiceId, await http.GetStringAsync(new Uri($"http://{catalog}/whoami"), Ct));
            }
        }

        // A Consul that refuses connections: the client's request fails with a connection error.
        await using (var unreachable = ClientServices(ClosedPortAddress(), token))
        {
            await Assert.ThrowsAsync<ConsulException>(async () => await unreachable.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync("billing", Ct));
        }

        Assert.True(_tracerProvider.ForceFlush());
        Assert.True(_meterProvider.ForceFlush());

        var exported = _metrics.Where(m => m.MeterName == Source).ToList();
        foreach (var name in new[] { "consul.client.requests", "consul.client.request.duration", "consul.registration.registrations", "consul.registration.state", "consul.discovery.lookups", "consul.discovery.watches", "consul.http.requests" })
        {
            Assert.Contains(exported, m => m.Name == name);
        }

        foreach (var metric in exported)
        {
            Assert.True(Instruments.TryGetValue(metric.Name, out var expected), $"{metric.Name} is not in the documented list");
            Assert.Equal(expected.Unit, metric.Unit);
            Assert.DoesNotContain(token, metric.Description, StringComparison.Ordinal);
            foreach (var point in metric.MetricPoints)
            {
                foreach (var tag in point.Tags)
                {
                    Assert.Contains(tag.Key, expected.Attributes);
                    Assert.DoesNotContain(token, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparison.Ordinal);
                }
            }
        }

        Assert.Contains(
            exported.Where(m => m.Name == "consul.client.requests").SelectMany(m => m.MetricPoints),
            p => Tag(p, "error.type") == "connection_error");

        var spans = _spans.Where(s => s.Source.Name == Source).ToList();
        Assert.NotEmpty(spans);
        Assert.Contains(spans, s => (string?)s.GetTagItem("error.type") == "connection_error" && s.Status == ActivityStatusCode.Error);
        foreach (var span in spans)
        {
            Assert.Equal(ActivityKind.Client, span.Kind);
            Assert.All(span.TagObjects, t => Assert.Contains(t.Key, SpanAttributes));
            var text = string.Join('\n', [span.DisplayName, span.StatusDescription, .. span.TagObjects.Select(t => $"{t.Value}"), .. span.Events.Select(e => e.Name)]);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }

        return null;
    }

    private static ServiceProvider ClientServices(Uri consul, string token)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.ToString(),
            ["Consul:Token"] = token,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddConsulDiscoveryClient();
        services.AddHttpClient("caller").AddConsulLoadBalancing();
        return services.BuildServiceProvider();
    }

    private static Uri ClosedPortAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    }
}
