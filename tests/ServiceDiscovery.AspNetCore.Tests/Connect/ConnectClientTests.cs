// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Http;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// The client side end to end: an app "orders" with <c>AddConsulConnect()</c> calls <c>http://catalog/...</c> through
/// <c>AddConsulLoadBalancing()</c>; the instance discovered is Connect-native, served by a real Kestrel on port 0
/// (<see cref="ConnectServer"/>) that requires and checks client certificates.
/// </summary>
public sealed class ConnectClientTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestConnectCa _ca = new();

    public void Dispose() => _ca.Dispose();

    [Fact]
    public async Task ConnectNativeInstanceIsCalledOverMutualTls()
    {
        var callers = new ConcurrentQueue<string>();
        await using var server = await ConnectServer.StartAsync(_ca, AllowRecording(callers));
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", server.Https.Port, "dc1")));
        await using var client = await OrdersAsync(discovery, _ca);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://catalog/hello")) { Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.Http.SendAsync(request, TestContext.Current.CancellationToken);
        using var http11 = await client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        Assert.Equal("HTTP/2", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));    // negotiated by ALPN
        Assert.Equal("HTTP/1.1", await http11.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));    // HttpClient's default version
        Assert.All(callers, c => Assert.Equal(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"), c));          // our leaf was presented
        Assert.NotEmpty(callers);
        Assert.Equal(2, server.AppRequests);
        Assert.Equal(new Uri("http://catalog/hello"), request.RequestUri);                                      // put back for a retry
    }

    [Fact]
    public async Task AfterARotation_TheLeafIsPresentedWithItsIntermediates_ToAServerTrustingOnlyTheOldRoot()
    {
        // orders already has a leaf of the new root (with the new root cross-signed by the old one in CertPEM);
        // catalog has not yet seen the new roots and trusts only the old one: only the intermediate links the two.
        using var next = new TestConnectCa(_ca.ClusterId);
        using var crossSigned = _ca.CrossSign(next);
        var callers = new ConcurrentQueue<string>();
        await using var server = await ConnectServer.StartAsync(_ca, AllowRecording(callers));
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", server.Https.Port, "dc1")));
        await using var client = await OrdersAsync(discovery, new FakeConsulConnectApi(next.Roots(_ca), next.AgentLeaf("orders", intermediates: crossSigned)));

        using var response = await client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        Assert.Equal(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"), Assert.Single(callers));
        Assert.Empty(server.Logged("ConnectHandshakeRefused"));
    }

    [Theory]
    [InlineData("payments", "dc1", "WrongService")]
    [InlineData("catalog", "dc2", "WrongDatacenter")]
    public async Task ServerWithAnotherIdentityIsRefusedBeforeTheRequestIsSent(string expectedService, string expectedDatacenter, string reason)
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        var discovery = new FakeServiceDiscovery();
        discovery.Set(expectedService, Instances.Of(Native(expectedService, server.Https.Port, expectedDatacenter)));
        await using var client = await OrdersAsync(discovery, _ca);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.Http.GetAsync(new Uri($"http://{expectedService}/hello"), TestContext.Current.CancellationToken));

        Assert.Equal(HttpRequestError.SecureConnectionError, failure.HttpRequestError);
        Assert.Equal(0, server.AppRequests);
        var log = Assert.Single(client.Logged("ConnectServerRefused"));
        Assert.Equal(reason, log.StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Fact]
    public async Task ServerOfAnotherCaIsRefused()
    {
        using var other = new TestConnectCa();   // same trust domain, other key
        await using var server = await ConnectServer.StartAsync(other);
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", server.Https.Port, "dc1")));
        await using var client = await OrdersAsync(discovery, _ca);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken));

        Assert.Equal(0, server.AppRequests);
        Assert.Equal(nameof(PeerVerificationFailure.UntrustedChain), Assert.Single(client.Logged("ConnectServerRefused")).StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Fact]
    public async Task PooledConnectionIsNeverReusedForAnotherExpectedIdentity()
    {
        // One address and port, first known as catalog (verified, connection pooled), then listed under another
        // service name (a port reused by another service): the pooled connection must not carry the second request.
        await using var server = await ConnectServer.StartAsync(_ca);
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", server.Https.Port, "dc1")));
        discovery.Set("payments", Instances.Of(Native("payments", server.Https.Port, "dc1")));
        await using var client = await OrdersAsync(discovery, _ca);
        using (var first = await client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken))
        {
            first.EnsureSuccessStatusCode();
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => client.Http.GetAsync(new Uri("http://payments/hello"), TestContext.Current.CancellationToken));

        Assert.Equal(1, server.AppRequests);
        Assert.Equal(nameof(PeerVerificationFailure.WrongService), Assert.Single(client.Logged("ConnectServerRefused")).StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Fact]
    public async Task LeafExpiredWhileTheAgentIsUnreachable_FailsClosedWithoutSending_AndRecoversWhenTheAgentIsBack()
    {
        // orders' clock is fake so that its leaf can expire during the test; catalog runs on the real clock.
        var start = TimeProvider.System.GetUtcNow();
        var time = new FakeTimeProvider(start);
        await using var server = await ConnectServer.StartAsync(_ca);
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", server.Https.Port, "dc1")));
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("orders", start.AddMinutes(-1), TimeSpan.FromHours(1)));
        await using var client = await OrdersAsync(discovery, api, time);
        using (var first = await client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken))
        {
            first.EnsureSuccessStatusCode();
        }

        api.GoDown(FakeConsulConnectApi.Unreachable());
        await Eventually.WaitAsync(() => client.Logged("ConnectWatchFailed").Count() == 2, Deadline, "both watches notice the agent is gone");
        time.Advance(TimeSpan.FromHours(2));   // past the leaf's NotAfter, the agent still unreachable
        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken));

        Assert.Contains("no valid Connect leaf certificate", failure.Message, StringComparison.Ordinal);
        Assert.Single(client.Logged("ConnectClientNoLeaf"));
        Assert.Equal(1, server.AppRequests);   // nothing was sent, on no fall-back path

        // The agent comes back with a renewed leaf: the watch's next retry (on orders' clock) picks it up.
        api.Failure = null;
        api.SetLeaf(_ca.AgentLeaf("orders", start.AddMinutes(-1), TimeSpan.FromHours(72)));
        var source = client.Services.GetRequiredService<ConnectCertificateSource>();
        await Eventually.WaitAsync(
            () =>
            {
                time.Advance(ConnectCertificateSource.MaxRetryDelay);
                return source.CurrentLeaf() is not null;
            },
            Deadline,
            "the renewed leaf is in use");
        using var response = await client.Http.GetAsync(new Uri("http://catalog/hello"), TestContext.Current.CancellationToken);

        response.EnsureSuccessStatusCode();
        Assert.Equal(2, server.AppRequests);
    }

    [Fact]
    public async Task ConnectNativeInstanceWithoutAddConsulConnectFailsWithoutSending()
    {
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Native("catalog", 1, "dc1")));
        var sent = 0;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<IConsulServiceDiscovery>(discovery);
        services.AddHttpClient("c").AddConsulLoadBalancing().ConfigurePrimaryHttpMessageHandler(() => new CountingHandler(() => sent++));
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("c");

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken));

        Assert.Contains("AddConsulConnect()", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Connect:Enabled", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, sent);
    }

    /// <summary>Allows every caller, recording its SPIFFE id.</summary>
    private static Action<FakeConsulConnectApi> AllowRecording(ConcurrentQueue<string> callers) => api => api.OnAuthorize = r =>
    {
        callers.Enqueue(r.ClientCertURI);
        return new ConnectAuthorizeResult(true, "Default behavior configured by ACLs");
    };

    private static ConsulServiceInstance Native(string service, int port, string datacenter) => ConnectOrdersApp.Native(service, port, datacenter);

    private static Task<ConnectOrdersApp> OrdersAsync(FakeServiceDiscovery discovery, TestConnectCa ca) => ConnectOrdersApp.StartAsync(discovery, ca);

    private static Task<ConnectOrdersApp> OrdersAsync(FakeServiceDiscovery discovery, FakeConsulConnectApi api, TimeProvider? time = null) => ConnectOrdersApp.StartAsync(discovery, api, time);

    private sealed class CountingHandler(Action onSend) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onSend();
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
