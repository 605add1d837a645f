// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// <see cref="ConnectRequestReauthorizer"/> on requests built by hand (one connection: its items, TLS and lifetime
/// features shared by the requests), with a <see cref="FakeTimeProvider"/> and a faked agent.
/// </summary>
public sealed class ConnectRequestReauthorizerTests : IDisposable
{
    private const string DenyReason = "Matched L4 intention: default/orders => default/catalog (Precedence: 9, Action: DENY)";
    private readonly TestConnectCa _ca = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly FakeLogCollector _logs = new();
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConsulOptions _options = new();
    private readonly FakeConsulConnectApi _api;
    private readonly X509Certificate2 _orders;
    private int _appCalls;

    public ConnectRequestReauthorizerTests()
    {
        _api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));
        _orders = _ca.Leaf("orders", "dc1", _time.GetUtcNow().AddMinutes(-1), _time.GetUtcNow().AddHours(1));
        _options.Connect.AuthorizationCacheDuration = TimeSpan.FromMilliseconds(500);
    }

    private static string OrdersUri => TestConnectCa.ServiceUri(TestConnectCa.DefaultTrustDomain, "orders");

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    [Fact]
    public async Task WithinTheWindow_NoAuthorization_PastIt_AuthorizedAgain()
    {
        var reauthorizer = Reauthorizer();
        var connection = new Connection(_orders);
        using var authorizations = new MetricCollector<long>(Meters, ConsulTelemetry.Name, "consul.connect.authorizations");

        Assert.Equal(200, await SendAsync(reauthorizer, connection));   // first request: asks (the agent, here)
        _time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.Equal(200, await SendAsync(reauthorizer, connection));   // within the window: a timestamp compare only

        Assert.Equal(1, _api.AuthorizeCalls);
        var first = Assert.Single(authorizations.GetMeasurementSnapshot());
        Assert.Equal("request", first.Tags["consul.connect.stage"]);
        Assert.Equal(new ConnectAuthorizeRequest("catalog", OrdersUri, ConnectHandshakeValidator.Serial(_orders)), _api.LastAuthorize);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(200, await SendAsync(reauthorizer, connection));   // past it: asked again

        Assert.Equal(2, _api.AuthorizeCalls);
        Assert.Equal(2, authorizations.GetMeasurementSnapshot().Count);
        Assert.Equal(3, _appCalls);
        Assert.Equal(0, connection.CloseRequests);
    }

    [Fact]
    public async Task WindowIsCountedFromWhenConsulWasAsked_NotFromTheRequest()
    {
        var authorizer = Authorizer();
        var reauthorizer = Reauthorizer(authorizer);
        await authorizer.AuthorizeAsync("catalog", OrdersUri, "0b", TestContext.Current.CancellationToken);   // the handshake asked
        var connection = new Connection(_orders);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        Assert.Equal(200, await SendAsync(reauthorizer, connection));   // the handshake's answer, from the cache
        Assert.Equal(1, _api.AuthorizeCalls);

        _time.Advance(TimeSpan.FromMilliseconds(100));   // 500 ms after Consul was asked, 100 ms after the request
        Assert.Equal(200, await SendAsync(reauthorizer, connection));

        Assert.Equal(2, _api.AuthorizeCalls);
    }

    [Theory]
    [InlineData("HTTP/1.1")]
    [InlineData("HTTP/2")]
    public async Task Denied_Answers403NamingCallerTargetAndIntention_NeverReachesTheApp_AndClosesTheConnection(string protocol)
    {
        var reauthorizer = Reauthorizer();
        var connection = new Connection(_orders);
        using var authorizations = new MetricCollector<long>(Meters, ConsulTelemetry.Name, "consul.connect.authorizations");
        Assert.Equal(200, await SendAsync(reauthorizer, connection, protocol));
        _api.OnAuthorize = _ => new ConnectAuthorizeResult(false, DenyReason);
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var context = Request(connection, protocol);
        await reauthorizer.InvokeAsync(context, App);

        Assert.Equal(403, context.Response.StatusCode);
        var body = Body(context);
        Assert.Contains(OrdersUri, body, StringComparison.Ordinal);
        Assert.Contains("'catalog'", body, StringComparison.Ordinal);
        Assert.Contains(DenyReason, body, StringComparison.Ordinal);
        Assert.Equal(1, _appCalls);
        Assert.Equal(1, connection.CloseRequests);
        Assert.Equal(protocol == "HTTP/1.1" ? "close" : string.Empty, context.Response.Headers.Connection.ToString());
        var refused = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "ConnectRequestRefused");
        Assert.Contains(DenyReason, refused.Message, StringComparison.Ordinal);
        Assert.Contains("reason denied", refused.Message, StringComparison.Ordinal);
        var denied = authorizations.GetMeasurementSnapshot()[^1];
        Assert.Equal(("denied", "intention", "request"), ((string)denied.Tags["consul.connect.decision"]!, (string)denied.Tags["consul.connect.reason"]!, (string)denied.Tags["consul.connect.stage"]!));

        // Every later request on it is refused too (another HTTP/2 stream, or one sent before the close was seen).
        Assert.Equal(403, await SendAsync(reauthorizer, connection, protocol));
        Assert.Equal(1, _appCalls);
    }

    [Fact]
    public async Task CallerCertificateExpiredSinceTheHandshake_IsRefusedAtItsExpiry_WithoutAskingConsul()
    {
        // Expires 200 ms into the 500 ms window: the connection is checked again at the expiry, not at the window's end.
        var notAfter = _time.GetUtcNow().AddSeconds(2);
        using var shortLived = _ca.Leaf("orders", "dc1", notAfter.AddHours(-1), notAfter);
        var expiry = new DateTimeOffset(shortLived.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var reauthorizer = Reauthorizer();
        var connection = new Connection(shortLived);
        using var authorizations = new MetricCollector<long>(Meters, ConsulTelemetry.Name, "consul.connect.authorizations");
        _time.Advance(expiry - _time.GetUtcNow() - TimeSpan.FromMilliseconds(200));
        Assert.Equal(200, await SendAsync(reauthorizer, connection));

        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.Equal(200, await SendAsync(reauthorizer, connection));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var context = Request(connection, "HTTP/1.1");
        await reauthorizer.InvokeAsync(context, App);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Contains("expired", Body(context), StringComparison.Ordinal);
        Assert.Equal(2, _appCalls);
        Assert.Equal(1, _api.AuthorizeCalls);
        Assert.Equal(1, connection.CloseRequests);
        var refused = authorizations.GetMeasurementSnapshot()[^1];
        Assert.Equal(("denied", "expired", "local"), ((string)refused.Tags["consul.connect.decision"]!, (string)refused.Tags["consul.connect.reason"]!, (string)refused.Tags["consul.connect.answer_source"]!));
    }

    [Fact]
    public async Task AgentUnreachableAtTheRecheck_RefusesAndCloses_FailClosed()
    {
        var reauthorizer = Reauthorizer();
        var connection = new Connection(_orders);
        Assert.Equal(200, await SendAsync(reauthorizer, connection));
        _api.OnAuthorize = _ => throw FakeConsulConnectApi.Unreachable();
        _time.Advance(TimeSpan.FromMilliseconds(500));

        var context = Request(connection, "HTTP/1.1");
        await reauthorizer.InvokeAsync(context, App);

        Assert.Equal(403, context.Response.StatusCode);
        Assert.Contains("did not answer", Body(context), StringComparison.Ordinal);
        Assert.Equal(1, _appCalls);
        Assert.Equal(1, connection.CloseRequests);
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "ConnectRequestRefused" && r.Message.Contains("reason authorize_failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlainHttp_PassesUntouched()
    {
        var context = Request(new Connection(_orders), "HTTP/1.1");
        context.Request.Scheme = "http";

        await Reauthorizer().InvokeAsync(context, App);

        Assert.Equal(1, _appCalls);
        Assert.Equal(0, _api.AuthorizeCalls);
    }

    [Fact]
    public async Task ConnectionWithoutState_IsAuthorizedAtEveryRequest()
    {
        var reauthorizer = Reauthorizer();
        var connection = new Connection(_orders, attach: false);
        Assert.Equal(200, await SendAsync(reauthorizer, connection));
        _api.OnAuthorize = _ => new ConnectAuthorizeResult(false, DenyReason);
        _time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(403, await SendAsync(reauthorizer, connection));
        Assert.Equal(1, _appCalls);
    }

    public void Dispose()
    {
        _orders.Dispose();
        _ca.Dispose();
        _provider.Dispose();
    }

    private static string Body(HttpContext context) => System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());

    private Task App(HttpContext context)
    {
        Interlocked.Increment(ref _appCalls);
        return Task.CompletedTask;
    }

    private async Task<int> SendAsync(ConnectRequestReauthorizer reauthorizer, Connection connection, string protocol = "HTTP/1.1")
    {
        var context = Request(connection, protocol);
        await reauthorizer.InvokeAsync(context, App);
        return context.Response.StatusCode;
    }

    private static DefaultHttpContext Request(Connection connection, string protocol)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Protocol = protocol;
        context.Response.Body = new MemoryStream();
        context.Features.Set<IConnectionItemsFeature>(connection.Context);
        context.Features.Set<ITlsConnectionFeature>(connection);
        context.Features.Set<IConnectionLifetimeNotificationFeature>(connection);
        return context;
    }

    private ConnectAuthorizer Authorizer() => new(_api, new TestOptionsMonitor<ConsulOptions>(_options), _time, new ConnectMetrics(Meters), new FakeLogger<ConnectAuthorizer>(_logs));

    private ConnectRequestReauthorizer Reauthorizer(ConnectAuthorizer? authorizer = null)
    {
        var metrics = new ConnectMetrics(Meters);
        var source = new ConnectCertificateSource(_api, "catalog", "Consul:Connect:Enabled", _time, metrics, new FakeLogger<ConnectCertificateSource>(_logs));
        return new ConnectRequestReauthorizer(source, authorizer ?? Authorizer(), _time, metrics, new FakeLogger<ConnectRequestReauthorizer>(_logs));
    }

    /// <summary>One TLS connection: its items (with the state the handshake setup attaches), its client certificate, its close requests.</summary>
    private sealed class Connection : ITlsConnectionFeature, IConnectionLifetimeNotificationFeature
    {
        private int _closeRequests;

        public Connection(X509Certificate2 certificate, bool attach = true)
        {
            ClientCertificate = certificate;
            if (attach)
            {
                ConnectCallerConnection.Attach(Context);
            }
        }

        public DefaultConnectionContext Context { get; } = new();

        public X509Certificate2? ClientCertificate { get; set; }

        public CancellationToken ConnectionClosedRequested { get; set; }

        public int CloseRequests => Volatile.Read(ref _closeRequests);

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult(ClientCertificate);

        public void RequestClose() => Interlocked.Increment(ref _closeRequests);
    }
}
