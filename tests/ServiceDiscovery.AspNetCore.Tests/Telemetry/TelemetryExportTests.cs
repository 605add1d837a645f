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

    /// <summary>
    /// Every instrument of the library, read from the metrics table of docs/telemetry.md: its unit, and the attributes
    /// it may carry (the backticked dotted names of the last column; "the same" repeats the row above). Reading the
    /// document keeps the check complete: an instrument missing from it fails here, even when another test made it.
    /// </summary>
    private static readonly Dictionary<string, (string Unit, string[] Attributes)> Instruments = DocumentedInstruments();

    private static Dictionary<string, (string Unit, string[] Attributes)> DocumentedInstruments()
    {
        var instruments = new Dictionary<string, (string Unit, string[] Attributes)>(StringComparer.Ordinal);
        string[] previous = [];
        foreach (var line in RepositoryFiles.ReadText("docs/telemetry.md").Split('\n'))
        {
            if (!line.StartsWith("| `consul.", StringComparison.Ordinal))
            {
                continue;
            }

            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            var attributes = cells[4].StartsWith("the same", StringComparison.Ordinal)
                ? previous
                : [.. System.Text.RegularExpressions.Regex.Matches(cells[4], @"`([a-z_]+(?:\.[a-z_]+)+)`").Select(m => m.Groups[1].Value)];
            instruments.Add(cells[1].Trim('`'), (cells[3].Trim('`'), attributes));
            previous = attributes;
        }

        Assert.True(instruments.Count >= 30, $"only {instruments.Count} instruments read from docs/telemetry.md");
        return instruments;
    }

    private static readonly string[] SpanAttributes =
        ["url.template", "http.request.method", "server.address", "server.port", "http.response.status_code", "error.type", "consul.blocking_query"];

    /// <summary>Stands for the application code that looks a name up: its span must parent the first fetch.</summary>
    private static readonly ActivitySource Caller = new("TelemetryExportTests.Caller");

    private readonly List<MetricSnapshot> _metrics = [];
    private readonly List<Activity> _spans = [];
    private ActivityContext _firstFetchParent;
    private ConsulTarget _consul = null!;
    private MeterProvider _meterProvider = null!;
    private TracerProvider _tracerProvider = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _meterProvider = Sdk.CreateMeterProviderBuilder().AddMeter(Source).AddInMemoryExporter(_metrics).Build();
        _tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(Source, "System.Net.Http", Caller.Name)
            .AddInMemoryExporter(_spans)
            .Build();
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
            // The first lookup of a name, under the caller's span; the watch's blocking query that follows is not.
            ActivityContext lookup;
            using (var span = Caller.StartActivity("lookup"))
            {
                Assert.NotNull(span);
                lookup = span.Context;
                Assert.NotEmpty(await client.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync(catalog, Ct));
            }

            _firstFetchParent = lookup;
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

        List<Activity> all = [.. _spans];
        var spans = all.Where(s => s.Source.Name == Source).ToList();
        Assert.NotEmpty(spans);
        Assert.Contains(spans, s => (string?)s.GetTagItem("error.type") == "connection_error" && s.Status == ActivityStatusCode.Error);
        foreach (var span in spans)
        {
            // One client span per request: ours is internal, System.Net.Http's (its child) is the client span.
            Assert.Equal(ActivityKind.Internal, span.Kind);
            Assert.All(span.TagObjects, t => Assert.Contains(t.Key, SpanAttributes));
            var text = string.Join('\n', [span.DisplayName, span.StatusDescription, .. span.TagObjects.Select(t => $"{t.Value}"), .. span.Events.Select(e => e.Name)]);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
        }

        // This test's answered requests (tests alongside may use fake handlers, which make no HTTP span).
        var answered = spans.Where(s => s.GetTagItem("http.response.status_code") is not null
            && (string?)s.GetTagItem("server.address") == _consul.Address.Host && s.GetTagItem("server.port") is int port && port == _consul.Address.Port).ToList();
        Assert.NotEmpty(answered);
        foreach (var span in answered)
        {
            var client = Assert.Single(all, s => s.ParentSpanId == span.SpanId && s.TraceId == span.TraceId);
            Assert.Equal("System.Net.Http", client.Source.Name);
            Assert.Equal(ActivityKind.Client, client.Kind);
        }

        var firstFetch = Assert.Single(spans, s => s.ParentSpanId == _firstFetchParent.SpanId);
        Assert.Equal(_firstFetchParent.TraceId, firstFetch.TraceId);
        Assert.Equal("GET /v1/health/service/{service}", firstFetch.DisplayName);
        Assert.Null(firstFetch.GetTagItem("consul.blocking_query"));
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
        services.AddConsulDiscoveryCache();
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
