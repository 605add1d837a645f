// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;
using static ServiceDiscovery.AspNetCore.Tests.Consul.Fakes.FakeHttpMessageHandler;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

public sealed class ConsulTelemetryTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_CountedByTemplateMethodAndOutcome()
    {
        using var harness = new ConsulClientHarness();
        var meter = harness.Services.GetRequiredService<ConsulTelemetry>().Meter;
        using var requests = new MetricCollector<long>(meter, "consul.client.requests");
        using var duration = new MetricCollector<double>(meter, "consul.client.request.duration");
        harness.Handler.Respond = (_, _) => Task.FromResult(Empty());
        await harness.Client.DeregisterServiceAsync("web-secret-id-1", _ct);
        harness.Handler.Respond = (_, _) => Task.FromResult(Text(HttpStatusCode.Forbidden, "ACL not found"));
        await Assert.ThrowsAsync<ConsulException>(() => harness.Client.DeregisterServiceAsync("web-secret-id-2", _ct));
        harness.Handler.Respond = (_, _) => throw new HttpRequestException("refused");
        await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        var measurements = requests.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Count);
        Assert.Equal("/v1/agent/service/deregister/{service_id}", measurements[0].Tags["url.template"]);
        Assert.Equal("PUT", measurements[0].Tags["http.request.method"]);
        Assert.Equal(200, measurements[0].Tags["http.response.status_code"]);
        Assert.False(measurements[0].Tags.ContainsKey("error.type"));
        Assert.Equal("403", measurements[1].Tags["error.type"]);
        Assert.Equal("connection_error", measurements[2].Tags["error.type"]);
        Assert.False(measurements[2].Tags.ContainsKey("http.response.status_code"));
        Assert.All(measurements, m => Assert.DoesNotContain(m.Tags.Values, v => v?.ToString()?.Contains("secret", StringComparison.Ordinal) == true));
        Assert.Equal(3, duration.GetMeasurementSnapshot().Count);
        Assert.Equal("s", duration.Instrument!.Unit);
    }

    [Fact]
    public async Task BlockingQueries_HaveTheirOwnDurationHistogram()
    {
        using var harness = new ConsulClientHarness();
        var meter = harness.Services.GetRequiredService<ConsulTelemetry>().Meter;
        using var requests = new MetricCollector<long>(meter, "consul.client.requests");
        using var duration = new MetricCollector<double>(meter, "consul.client.request.duration");
        using var blocking = new MetricCollector<double>(meter, "consul.client.blocking_query.duration");
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 7));

        await harness.Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct);
        await harness.Client.GetHealthServiceAsync("web", new HealthServiceQuery(), new QueryOptions { Index = 7, Wait = TimeSpan.FromMinutes(5) }, _ct);

        Assert.Equal(2, requests.GetMeasurementSnapshot().Count);
        Assert.Single(duration.GetMeasurementSnapshot());
        var measurement = Assert.Single(blocking.GetMeasurementSnapshot());
        Assert.Equal("s", blocking.Instrument!.Unit);
        Assert.Equal("/v1/health/service/{service}", measurement.Tags["url.template"]);
    }

    [Fact]
    public async Task Requests_TracedAsInternalActivities()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ServiceDiscovery.Consul",
            Sample = (ref _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        // The listener sees every test's activities: a host of our own tells ours apart.
        var host = $"trace-{Guid.NewGuid():N}.test";
        using var harness = new ConsulClientHarness(o => o.Address = $"http://{host}:8500");
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 1));

        await harness.Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct);

        List<Activity> ours;
        lock (activities)
        {
            ours = [.. activities.Where(a => (string?)a.GetTagItem("server.address") == host)];
        }

        var activity = Assert.Single(ours);
        Assert.Equal("/v1/health/service/{service}", activity.GetTagItem("url.template"));
        Assert.Equal(8500, activity.GetTagItem("server.port"));
        Assert.Equal(ActivityKind.Internal, activity.Kind);
        Assert.Null(activity.GetTagItem("consul.blocking_query"));
        Assert.Equal("GET /v1/health/service/{service}", activity.DisplayName);
    }
}
