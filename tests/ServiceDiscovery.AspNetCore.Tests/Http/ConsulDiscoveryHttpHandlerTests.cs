// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Http.LoadBalancing;

namespace ServiceDiscovery.AspNetCore.Tests.Http;

public sealed class ConsulDiscoveryHttpHandlerTests : IDisposable
{
    private readonly FakeServiceDiscovery _discovery = new();
    private readonly FakeTimeProvider _time = new();
    private readonly List<Uri> _sent = [];
    private Func<HttpRequestMessage, HttpResponseMessage> _respond = _ => new HttpResponseMessage(HttpStatusCode.OK);
    private readonly InstanceHealthTracker _tracker;
    private readonly TestMeterFactory _meters = new();
    private readonly UnusableSchemeReport _unusable = new();
    private readonly FakeLogger<ConsulDiscoveryHttpHandler> _logger = new();
    private readonly HttpClient _client;

    public ConsulDiscoveryHttpHandlerTests()
    {
        _tracker = new InstanceHealthTracker(_time, new LoadBalancerTests.StaticOptionsMonitor(new ConsulOptions()));
        _client = CreateClient(new RoundRobinLoadBalancer());
    }

    private HttpClient CreateClient(IConsulLoadBalancer balancer)
    {
        var handler = new ConsulDiscoveryHttpHandler(
            _discovery,
            balancer,
            _tracker,
            _unusable,
            new HttpDiscoveryMetrics(_meters),
            _logger)
        {
            InnerHandler = new DelegateHandler(request =>
            {
                _sent.Add(request.RequestUri!);
                return _respond(request);
            }),
        };
        return new HttpClient(handler);
    }

    public void Dispose()
    {
        _client.Dispose();
        _meters.Dispose();
    }

    [Fact]
    public async Task Metrics_CountRequestsPerInstanceNoInstanceAndEjections()
    {
        using var requests = new MetricCollector<long>(_meters, "ServiceDiscovery.Consul", "consul.http.requests");
        using var noInstance = new MetricCollector<long>(_meters, "ServiceDiscovery.Consul", "consul.http.no_instance");
        using var ejections = new MetricCollector<long>(_meters, "ServiceDiscovery.Consul", "consul.http.ejections");
        _discovery.Set("catalog", Instances.Of(Instances.One("c1", port: 5001)));
        _discovery.Set("empty", Instances.Of());
        _respond = _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => _client.GetAsync(new Uri("http://empty/x"), TestContext.Current.CancellationToken));

        var request = Assert.Single(requests.GetMeasurementSnapshot());
        Assert.Equal("catalog", request.Tags["consul.service.name"]);
        Assert.Equal(["consul.service.name"], request.Tags.Keys); // no instance id: an unbounded dimension
        Assert.Equal("empty", Assert.Single(noInstance.GetMeasurementSnapshot()).Tags["consul.service.name"]);
        var ejection = Assert.Single(ejections.GetMeasurementSnapshot());
        Assert.Equal(["consul.service.name"], ejection.Tags.Keys);
        Assert.Equal("catalog", ejection.Tags["consul.service.name"]);
    }

    [Fact]
    public async Task InstanceWithSchemeHttpClientCannotSpeak_NeverPickedAndWarnedOnce()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("plain", port: 5000), Instances.One("rpc", port: 5001, scheme: "grpc")));

        for (var i = 0; i < 6; i++)
        {
            using var response = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);
        }

        // A second handler (HttpClientFactory rotates them) does not warn again.
        using var other = CreateClient(new RoundRobinLoadBalancer());
        using var again = await other.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);

        Assert.All(_sent, uri => Assert.Equal(5000, uri.Port));
        var warning = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "ConsulInstanceSchemeUnusable");
        Assert.Equal("Instance 'rpc' of 'catalog' registered scheme 'grpc' (its 'scheme' meta), which HttpClient cannot speak; it is never picked. Register it under another service name, or with scheme http or https.", warning.Message);
    }

    [Fact]
    public async Task OnlyInstancesWithSchemeHttpClientCannotSpeak_NoInstanceNamingTheSchemes()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("rpc", port: 5001, scheme: "grpc")));

        var ex = await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));

        Assert.Contains("serves http or https", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task ServiceName_RewrittenToAnInstanceKeepingPathAndQuery()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("c1", port: 5001)));

        using var response = await _client.GetAsync(new Uri("http://catalog/api/items?page=2&q=a%20b"), TestContext.Current.CancellationToken);

        Assert.Equal(new Uri("http://127.0.0.1:5001/api/items?page=2&q=a%20b"), Assert.Single(_sent));
        Assert.Equal(new Uri("http://catalog/api/items?page=2&q=a%20b"), response.RequestMessage!.RequestUri); // put back for retries
    }

    [Theory]
    [InlineData("http://example.com/x")]
    [InlineData("http://catalog.internal/x")]
    [InlineData("http://localhost:5000/x")]
    [InlineData("http://127.0.0.1:5000/x")]
    [InlineData("http://[::1]:5000/x")]
    public async Task RealHost_PassesThroughWithoutAskingConsul(string url)
    {
        using var _ = await _client.GetAsync(new Uri(url), TestContext.Current.CancellationToken);

        Assert.Equal(new Uri(url), Assert.Single(_sent));
        Assert.Equal(0, _discovery.Lookups);
    }

    [Fact]
    public async Task NoHealthyInstance_ThrowsNamingTheServiceAndSendsNothing()
    {
        _discovery.Set("catalog", Instances.Of());

        var ex = await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => _client.GetAsync(new Uri("http://catalog/api/items"), TestContext.Current.CancellationToken));

        Assert.Equal("catalog", ex.ServiceName);
        Assert.Contains("'catalog'", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task InstanceScheme_UsedForPlainHttpUris()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("c1", port: 5443, scheme: "https")));

        using var _ = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);

        Assert.Equal("https://127.0.0.1:5443/x", Assert.Single(_sent).ToString());
    }

    [Fact]
    public async Task HttpsPlusHttp_PrefersHttpsInstancesThenFallsBack()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("plain", port: 5000), Instances.One("tls", port: 5443, scheme: "https")));
        _discovery.Set("orders", Instances.Of(Instances.One("o1", port: 6000, service: "orders")));

        for (var i = 0; i < 4; i++)
        {
            using var _ = await _client.GetAsync(new Uri("https+http://catalog/x"), TestContext.Current.CancellationToken);
        }

        using var fallback = await _client.GetAsync(new Uri("https+http://orders/x"), TestContext.Current.CancellationToken);

        Assert.All(_sent.Take(4), uri => Assert.Equal("https://127.0.0.1:5443/x", uri.ToString()));
        Assert.Equal("http://127.0.0.1:6000/x", _sent[4].ToString());
    }

    [Fact]
    public async Task Https_NeverFallsBackToPlainHttpInstances()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("plain", port: 5000), Instances.One("tls", port: 5443, scheme: "https")));
        _discovery.Set("orders", Instances.Of(Instances.One("o1", port: 6000, service: "orders")));

        for (var i = 0; i < 4; i++)
        {
            using var _ = await _client.GetAsync(new Uri("https://catalog/x"), TestContext.Current.CancellationToken);
        }

        var ex = await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => _client.GetAsync(new Uri("https://orders/x"), TestContext.Current.CancellationToken));

        Assert.All(_sent, uri => Assert.Equal("https://127.0.0.1:5443/x", uri.ToString()));
        Assert.Equal(4, _sent.Count);
        Assert.Equal("orders", ex.ServiceName);
        Assert.Contains("serves https", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionFailure_InstanceEjectedSoTheNextRequestGoesElsewhere()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("dead", port: 5001), Instances.One("alive", port: 5002)));
        _respond = request => request.RequestUri!.Port == 5001
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused))
            : new HttpResponseMessage(HttpStatusCode.OK);

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));
        for (var i = 0; i < 5; i++)
        {
            using var ok = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        Assert.Equal(1, _sent.Count(u => u.Port == 5001));

        _time.Advance(TimeSpan.FromSeconds(11)); // ejection (10 s by default) is over: the instance gets its turn again
        _respond = _ => new HttpResponseMessage(HttpStatusCode.OK);
        for (var i = 0; i < 2; i++)
        {
            using var _ = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);
        }

        Assert.Equal(2, _sent.Count(u => u.Port == 5001));
    }

    [Fact]
    public async Task HttpErrorStatus_DoesNotEject()
    {
        var instance = Instances.One("c1", port: 5001);
        _discovery.Set("catalog", Instances.Of(instance));
        _respond = _ => new HttpResponseMessage(HttpStatusCode.InternalServerError);

        using var response = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.False(_tracker.IsEjected(instance));
    }

    [Fact]
    public async Task ConnectTimeout_EjectsTheInstance()
    {
        var instance = Instances.One("c1", port: 5001);
        _discovery.Set("catalog", Instances.Of(instance));
        _respond = _ => throw new TaskCanceledException("The operation was canceled.", new TimeoutException("ConnectTimeout")); // what SocketsHttpHandler throws

        await Assert.ThrowsAsync<TaskCanceledException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));

        Assert.True(_tracker.IsEjected(instance));
    }

    [Fact]
    public async Task CallerCancels_DoesNotEject()
    {
        var instance = Instances.One("c1", port: 5001);
        _discovery.Set("catalog", Instances.Of(instance));
        using var cancel = new CancellationTokenSource();
        _respond = _ =>
        {
            cancel.Cancel();
            throw new TaskCanceledException("The operation was canceled.", new TimeoutException(), cancel.Token);
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetAsync(new Uri("http://catalog/x"), cancel.Token));

        Assert.False(_tracker.IsEjected(instance));
    }

    [Fact]
    public async Task BalancerKeepsPickingAnEjectedInstance_AnotherIsUsed()
    {
        using var sticky = CreateClient(new FirstInstanceBalancer());
        _discovery.Set("catalog", Instances.Of(Instances.One("dead", port: 5001), Instances.One("b", port: 5002), Instances.One("c", port: 5003)));
        _respond = request => request.RequestUri!.Port == 5001
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : new HttpResponseMessage(HttpStatusCode.OK);

        await Assert.ThrowsAsync<HttpRequestException>(() => sticky.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));
        for (var i = 0; i < 20; i++)
        {
            using var ok = await sticky.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, _sent.Count(u => u.Port == 5001));
        Assert.Equal(20, _sent.Count(u => u.Port is 5002 or 5003));
    }

    [Fact]
    public async Task EveryInstanceEjected_TheRequestIsStillSent()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("c1", port: 5001)));
        _respond = _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused");
        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));
        _respond = _ => new HttpResponseMessage(HttpStatusCode.OK);

        using var response = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);

        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public async Task SameIdOnTwoNodes_EjectingOneLeavesTheOther()
    {
        // Consul's default instance id is the service name, so one id on every node is common.
        var onNode1 = new ConsulServiceInstance("catalog", "catalog", "10.0.0.1", 80, node: "node1");
        var onNode2 = new ConsulServiceInstance("catalog", "catalog", "10.0.0.2", 80, node: "node2");
        _discovery.Set("catalog", Instances.Of(onNode1, onNode2));
        _respond = request => request.RequestUri!.Host == "10.0.0.1"
            ? throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused")
            : new HttpResponseMessage(HttpStatusCode.OK);

        await Assert.ThrowsAsync<HttpRequestException>(() => _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));

        Assert.True(_tracker.IsEjected(onNode1));
        Assert.False(_tracker.IsEjected(onNode2));
    }

    [Fact]
    public async Task BalancerReturnsNull_ClearErrorNamingTheContract()
    {
        using var broken = CreateClient(new NullBalancer());
        _discovery.Set("catalog", Instances.Of(Instances.One("c1", port: 5001)));

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => broken.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));

        Assert.Contains("IConsulLoadBalancer.Pick", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_sent);
    }

    [Fact]
    public async Task InFlight_CountedWhileTheRequestRuns()
    {
        var instance = Instances.One("c1", port: 5001);
        _discovery.Set("catalog", Instances.Of(instance));
        var seen = -1;
        _respond = _ =>
        {
            seen = _tracker.InFlight(instance);
            return new HttpResponseMessage(HttpStatusCode.OK);
        };

        using var _ = await _client.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);

        Assert.Equal(1, seen);
        Assert.Equal(0, _tracker.InFlight(instance));
    }

    private sealed class FirstInstanceBalancer : IConsulLoadBalancer
    {
        public ConsulServiceInstance Pick(ConsulServiceInstances instances) => instances[0];
    }

    private sealed class NullBalancer : IConsulLoadBalancer
    {
        public ConsulServiceInstance Pick(ConsulServiceInstances instances) => null!;
    }

    private sealed class DelegateHandler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = respond(request);
            response.RequestMessage = request;
            return Task.FromResult(response);
        }
    }

    private sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
