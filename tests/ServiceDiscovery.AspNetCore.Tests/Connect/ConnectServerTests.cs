// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>The Connect server side end to end: real Kestrel, real TLS, callers with and without the right certificate.</summary>
public sealed class ConnectServerTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestConnectCa _ca = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AllowedCaller_ReachesTheApp_OverHttp2AndHttp11()
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));

        Assert.Equal("HTTP/2", await server.CallAsync(orders));
        Assert.Equal("HTTP/1.1", await server.CallAsync(orders, HttpVersion.Version11));
        Assert.Equal(2, server.AppRequests);
    }

    [Fact]
    public async Task ServerPresents_TheLeafConsulIssued()
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        string? seen = null;
        using var client = ConnectServer.Caller(orders, [_ca.Root], c => seen = ServiceDiscovery.AspNetCore.Connect.UriSubjectAlternativeNames.Read(c).Single());

        using var response = await client.GetAsync(new Uri(server.Https, "/hello"), Ct);

        response.EnsureSuccessStatusCode();
        Assert.Equal(TestConnectCa.ServiceUri(_ca.TrustDomain, "catalog"), seen);
    }

    [Fact]
    public async Task NoClientCertificate_IsRefusedBeforeTheApp()
    {
        await using var server = await ConnectServer.StartAsync(_ca);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(certificate: null));

        Assert.Equal(0, server.AppRequests);
        Assert.Equal(0, server.Api.AuthorizeCalls);
    }

    [Fact]
    public async Task CertificateFromAnotherCa_IsRefused()
    {
        using var other = new TestConnectCa("99999999-2222-3333-4444-555555555555");
        await using var server = await ConnectServer.StartAsync(_ca);
        using var forged = other.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(forged));

        Assert.Equal(0, server.AppRequests);
        Assert.Equal(0, server.Api.AuthorizeCalls);
        var refused = Assert.Single(server.Logged("ConnectHandshakeRefused"));
        Assert.Equal("untrusted_chain", refused.StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Fact]
    public async Task ExpiredCallerCertificate_IsRefused()
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var expired = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"), TimeProvider.System.GetUtcNow().AddHours(-3), TimeSpan.FromHours(1));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(expired));

        Assert.Equal(0, server.AppRequests);
        Assert.Equal("expired", Assert.Single(server.Logged("ConnectHandshakeRefused")).StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Theory]
    [InlineData("/agent/client/dc/dc1/id/node-1", "not_a_service")]
    [InlineData("/gateway/mesh/dc/dc1", "not_a_service")]
    [InlineData("/not/a/consul/identity", "malformed_identity")]
    [InlineData(null, "uri_san_count")]
    public async Task CallerThatIsNotAService_IsRefused(string? path, string reason)
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var certificate = _ca.ClientCertificate(path is null ? null : $"spiffe://{_ca.TrustDomain}{path}");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(certificate));

        Assert.Equal(0, server.AppRequests);
        Assert.Equal(0, server.Api.AuthorizeCalls);
        Assert.Equal(reason, Assert.Single(server.Logged("ConnectHandshakeRefused")).StructuredState!.Single(p => p.Key == "Reason").Value);
    }

    [Fact]
    public async Task DeniedByIntention_IsRefused_AndTheLogNamesCallerAndIntention()
    {
        const string reason = "Matched L4 intention: default/orders => default/catalog (Precedence: 9, Action: DENY)";
        await using var server = await ConnectServer.StartAsync(_ca, api => api.OnAuthorize = _ => new ConnectAuthorizeResult(false, reason));
        var callerUri = TestConnectCa.ServiceUri(_ca.TrustDomain, "orders");
        using var orders = _ca.ClientCertificate(callerUri);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(orders));

        Assert.Equal(0, server.AppRequests);
        var denied = Assert.Single(server.Logged("ConnectCallerDenied"));
        Assert.Contains(callerUri, denied.Message, StringComparison.Ordinal);
        Assert.Contains(reason, denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_ServesOnlyTheHealthPath()
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var plain = new HttpClient();

        using var health = await plain.GetAsync(new Uri(server.Http, "/health"), Ct);
        using var app = await plain.GetAsync(new Uri(server.Http, "/hello"), Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, app.StatusCode);
        Assert.Equal(0, server.AppRequests);
    }

    [Fact]
    public async Task ExpiredServerLeaf_NoHandshakeSucceeds()
    {
        await using var server = await ConnectServer.StartAsync(_ca, api => api.SetLeaf(_ca.AgentLeaf("catalog", TimeProvider.System.GetUtcNow().AddHours(-3), TimeSpan.FromHours(1))));
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(orders));

        Assert.Equal(0, server.AppRequests);
        Assert.Single(server.Logged("ConnectLeafUnusable"));
    }

    [Fact]
    public async Task IntentionChangedToDeny_RefusesNewConnectionsWithinTheCachePeriod()
    {
        await using var server = await ConnectServer.StartAsync(_ca, cacheDuration: TimeSpan.FromMilliseconds(500));
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        await server.CallAsync(orders);

        server.Api.OnAuthorize = _ => new ConnectAuthorizeResult(false, "Matched L4 intention: default/orders => default/catalog (Precedence: 9, Action: DENY)");
        var changed = Stopwatch.StartNew();
        var refused = false;
        while (!refused && changed.Elapsed < Deadline)
        {
            try
            {
                await server.CallAsync(orders);
            }
            catch (HttpRequestException)
            {
                refused = true;
            }
        }

        Assert.True(refused, $"a new connection was still accepted {changed.Elapsed} after the intention changed to deny");
        TestContext.Current.SendDiagnosticMessage($"deny took effect for new connections after {changed.Elapsed.TotalMilliseconds:0} ms (cache 500 ms)");
    }

    [Fact]
    public async Task RootRotation_CallersOfOldAndNewRootAreAccepted()
    {
        // A rotation keeps the trust domain (the cluster id) and changes the key.
        using var next = new TestConnectCa(_ca.ClusterId);
        await using var server = await ConnectServer.StartAsync(_ca);
        using var oldCaller = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        using var newCaller = next.ClientCertificate(TestConnectCa.ServiceUri(next.TrustDomain, "orders"));
        var source = server.App.Services.GetRequiredService<ServiceDiscovery.AspNetCore.Connect.ConnectCertificateSource>();

        server.Api.SetRoots(next.Roots(_ca));
        await Eventually.WaitAsync(() => source.Trust!.Roots.Count == 2, Deadline, "the rotated roots are in use");

        await server.CallAsync(oldCaller);
        await server.CallAsync(newCaller);
        Assert.Equal(2, server.AppRequests);
    }

    [Fact]
    public async Task AfterARotation_ServerSendsItsIntermediates_SoACallerTrustingOnlyTheOldRootVerifiesIt()
    {
        // After a rotation the agent's leaf is signed by the new root and CertPEM carries the new root cross-signed by
        // the old one; a caller that has not yet seen the new roots trusts only the old root.
        using var next = new TestConnectCa(_ca.ClusterId);
        using var crossSigned = _ca.CrossSign(next);
        var api = new FakeConsulConnectApi(next.Roots(_ca), next.AgentLeaf("catalog", intermediates: crossSigned));
        await using var server = await ConnectServer.StartAsync(api, [_ca.Root], cacheDuration: null, settings: null);
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        string? issuer = null;

        Assert.Equal("HTTP/2", await server.CallAsync(orders, onServerCertificate: c => issuer = c.Issuer));

        Assert.Equal(next.Root.Subject, issuer);   // the new root's leaf, verified through the cross-signed intermediate
        Assert.Equal(1, server.AppRequests);
    }

    [Fact]
    public async Task RootsNoLongerListingTheCallersCa_RefuseItsNextConnection()
    {
        using var next = new TestConnectCa(_ca.ClusterId);
        await using var server = await ConnectServer.StartAsync(_ca);
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        var source = server.App.Services.GetRequiredService<ServiceDiscovery.AspNetCore.Connect.ConnectCertificateSource>();
        await server.CallAsync(orders);

        // The old root is pruned: a certificate verified before must be verified again, and now fails.
        server.Api.SetRoots(next.Roots());
        await Eventually.WaitAsync(() => source.Trust!.ActiveRootId == next.Id, Deadline, "the new roots are in use");

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(orders));
        Assert.Equal(1, server.AppRequests);
    }

    [Fact]
    public async Task LeafRenewalUnderLoad_LosesNoRequest()
    {
        await using var server = await ConnectServer.StartAsync(_ca);
        using var orders = _ca.ClientCertificate(TestConnectCa.ServiceUri(_ca.TrustDomain, "orders"));
        var source = server.App.Services.GetRequiredService<ServiceDiscovery.AspNetCore.Connect.ConnectCertificateSource>();
        var servedSerials = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        using var pooled = ConnectServer.Caller(orders, [_ca.Root]);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var failures = 0;
        var completed = 0;

        async Task WorkerAsync(bool newConnections)
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    if (newConnections)
                    {
                        await server.CallAsync(orders, onServerCertificate: c => servedSerials[c.SerialNumber] = true);
                    }
                    else
                    {
                        (await pooled.GetAsync(new Uri(server.Https, "/hello"), Ct)).EnsureSuccessStatusCode();
                    }

                    Interlocked.Increment(ref completed);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }

        var workers = Enumerable.Range(0, 4).Select(i => Task.Run(() => WorkerAsync(newConnections: i % 2 == 0), Ct)).ToList();
        for (var renewal = 0; renewal < 3; renewal++)
        {
            var before = source.Leaf;
            var done = Volatile.Read(ref completed);
            server.Api.SetLeaf(_ca.AgentLeaf("catalog"));
            await Eventually.WaitAsync(() => !ReferenceEquals(before, source.Leaf) && Volatile.Read(ref completed) > done + 20, Deadline, "the renewed leaf serves requests");
        }

        await stop.CancelAsync();
        await Task.WhenAll(workers);

        Assert.Equal(0, failures);
        Assert.True(servedSerials.Count >= 2, $"new connections saw {servedSerials.Count} server certificate(s) across 3 renewals");
    }

    public void Dispose() => _ca.Dispose();
}
