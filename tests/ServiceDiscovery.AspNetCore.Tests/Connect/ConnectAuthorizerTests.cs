// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

public sealed class ConnectAuthorizerTests : IDisposable
{
    private const string Caller = "spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/orders";
    private const string DenyReason = "Matched L4 intention: default/orders => default/catalog (Precedence: 9, Action: DENY)";
    private readonly TestConnectCa _ca = new();
    private readonly FakeTimeProvider _time = new(TimeProvider.System.GetUtcNow());
    private readonly FakeLogCollector _logs = new();
    private readonly ServiceProvider _provider = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ConsulOptions _options = new();
    private readonly FakeConsulConnectApi _api;

    public ConnectAuthorizerTests() => _api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("catalog"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IMeterFactory Meters => _provider.GetRequiredService<IMeterFactory>();

    [Fact]
    public async Task Answer_IsReusedForTheCacheDuration_ThenAskedAgain()
    {
        _options.Connect.AuthorizationCacheDuration = TimeSpan.FromMilliseconds(500);
        var authorizer = Authorizer();

        var first = await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);
        _time.Advance(TimeSpan.FromMilliseconds(499));
        var second = await authorizer.AuthorizeAsync("catalog", Caller, "0c", Ct);

        Assert.True(first.Allowed);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(1, _api.AuthorizeCalls);

        // The intention changes to deny: the next connection after the cache period sees it.
        _api.OnAuthorize = _ => new ConnectAuthorizeResult(false, DenyReason);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var third = await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);

        Assert.False(third.Allowed);
        Assert.Equal("intention", third.Kind);
        Assert.Equal(2, _api.AuthorizeCalls);
        var denied = Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "ConnectCallerDenied");
        Assert.Contains(Caller, denied.Message, StringComparison.Ordinal);
        Assert.Contains(DenyReason, denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ZeroCacheDuration_AsksOnEveryHandshake()
    {
        _options.Connect.AuthorizationCacheDuration = TimeSpan.Zero;
        var authorizer = Authorizer();

        await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);
        await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);

        Assert.Equal(2, _api.AuthorizeCalls);
    }

    [Fact]
    public async Task SentRequest_NamesTargetCallerAndSerial()
    {
        ConnectAuthorizeRequest? seen = null;
        _api.OnAuthorize = request => { seen = request; return new ConnectAuthorizeResult(true, "Default intention policy"); };

        var decision = await Authorizer().AuthorizeAsync("catalog", Caller, "0b:1c", Ct);

        Assert.Equal(new ConnectAuthorizeRequest("catalog", Caller, "0b:1c"), seen);
        Assert.Equal("default", decision.Kind);
    }

    [Fact]
    public async Task AgentFailure_DeniesAndIsNotCached()
    {
        _api.OnAuthorize = _ => throw FakeConsulConnectApi.Unreachable();
        var authorizer = Authorizer();
        using var authorizations = new MetricCollector<long>(Meters, ConsulTelemetry.Name, "consul.connect.authorizations");

        var failed = await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);
        _api.OnAuthorize = _ => new ConnectAuthorizeResult(true, "Default behavior configured by ACLs");
        var next = await authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct);

        Assert.False(failed.Allowed);
        Assert.Equal(ConnectDecision.AuthorizeFailed, failed.Kind);
        Assert.True(next.Allowed);
        Assert.False(next.FromCache);
        Assert.Single(_logs.GetSnapshot(), r => r.Id.Name == "ConnectAuthorizeFailed");
        Assert.Equal(["denied", "allowed"], authorizations.GetMeasurementSnapshot().Select(m => (string)m.Tags["consul.connect.decision"]!));
    }

    [Fact]
    public async Task ConcurrentMisses_ShareOneCall()
    {
        var release = new TaskCompletionSource<ConnectAuthorizeResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var api = new BlockingAuthorizeApi(release.Task);
        var authorizer = new ConnectAuthorizer(api, new TestOptionsMonitor<ConsulOptions>(_options), _time, new ConnectMetrics(Meters), new FakeLogger<ConnectAuthorizer>(_logs));

        var calls = Enumerable.Range(0, 8).Select(_ => authorizer.AuthorizeAsync("catalog", Caller, "0b", Ct)).ToList();
        release.SetResult(new ConnectAuthorizeResult(true, "Default behavior configured by ACLs"));
        var decisions = await Task.WhenAll(calls);

        Assert.All(decisions, d => Assert.True(d.Allowed));
        Assert.Equal(1, api.Calls);
    }

    [Theory]
    [InlineData("Matched L4 intention: default/a => default/b (Precedence: 9, Action: ALLOW)", "intention")]
    [InlineData("Matched L7 intention: default/a => default/b (Precedence: 9)", "l7_intention")]
    [InlineData("Default intention policy", "default")]
    [InlineData("Default behavior configured by ACLs", "default")]
    [InlineData("ACLs disabled, access is allowed by default", "default")]
    [InlineData("something new", "other")]
    public void Classify_MapsConsulReasonsToBoundedValues(string reason, string kind) => Assert.Equal(kind, ConnectDecision.Classify(reason));

    public void Dispose()
    {
        _ca.Dispose();
        _provider.Dispose();
    }

    private ConnectAuthorizer Authorizer() => new(_api, new TestOptionsMonitor<ConsulOptions>(_options), _time, new ConnectMetrics(Meters), new FakeLogger<ConnectAuthorizer>(_logs));

    private sealed class BlockingAuthorizeApi(Task<ConnectAuthorizeResult> answer) : IConsulConnectApi
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Uri Address { get; } = new("http://127.0.0.1:8500/");

        public Task<ConnectAuthorizeResult> AuthorizeConnectAsync(ConnectAuthorizeRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return answer;
        }

        public Task<QueryResult<ConnectRoots>> GetConnectRootsAsync(QueryOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<QueryResult<ConnectLeafCertificate>> GetConnectLeafAsync(string service, QueryOptions options, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
