// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>
/// samples/AppHost with <c>Sample:Connect</c> true, end to end through the real processes: catalog and orders register
/// as Connect-native with their https endpoint and pass their checks on http; a caller "web" holding a certificate the
/// dev agent issued reaches orders over mTLS, and orders reaches catalog over mTLS; orders' plain http endpoint serves
/// nothing but <c>/health</c>; the gateway (a Connect client only) reaches both catalog instances over mTLS.
/// </summary>
[Collection(SampleAppHostFixture.Collection)]
public sealed class SampleAppHostConnectTests(ConnectSampleAppHostFixture sample) : IClassFixture<ConnectSampleAppHostFixture>
{
    private readonly SampleProbe _probe = new(sample);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CatalogAndOrders_RegisterAsConnectNative_AndPassTheirChecks()
    {
        _probe.ReportStartUp();

        var catalog = await _probe.PassingEntriesAsync("catalog", count: 2);
        var orders = await _probe.PassingEntriesAsync("orders", count: 1);

        Assert.All(catalog.Concat(orders), service =>
        {
            Assert.True(service.GetProperty("Connect").GetProperty("Native").GetBoolean(), service.ToString());
            Assert.Equal("https", service.GetProperty("Meta").GetProperty("scheme").GetString());
        });
    }

    [Fact]
    public async Task ConnectCaller_ReachesOrders_WhichCallsCatalogOverMutualTls_WhilePlainHttpIsRefused()
    {
        var catalog = await _probe.PassingInstancesAsync("catalog", count: 2);
        await _probe.PassingInstancesAsync("orders", count: 1);
        using var web = await CallerAsync("web", expectedServer: "orders");
        var orders = sample.Endpoint("orders", "https");

        // web → orders → catalog, mTLS on both hops; orders' view of catalog fills from a blocking query first.
        var answer = await _probe.EventuallyAsync(async () =>
        {
            using var response = await web.GetAsync(new Uri(orders, "/catalog/instance"), Ct);
            return response.IsSuccessStatusCode ? (true, await response.Content.ReadFromJsonAsync<JsonElement>(Ct)) : (false, default);
        }, "orders' GET /catalog/instance over Connect mTLS to succeed", "orders");
        using var plain = new HttpClient { BaseAddress = sample.Endpoint("orders") };
        using var refused = await plain.GetAsync(new Uri("/catalog/instance", UriKind.Relative), Ct);

        Assert.Contains(answer.GetProperty("id").GetString(), catalog);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Gateway_CatalogRoute_ReachesBothConnectNativeCatalogInstances()
    {
        var catalog = await _probe.PassingInstancesAsync("catalog", count: 2);
        var seen = await _probe.CatalogIdsThroughTheGatewayAsync("the gateway to reach both catalog instances over Connect mTLS");

        Assert.Equal(catalog.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// An HttpClient presenting the leaf the dev agent issues <paramref name="service"/>, accepting only a server whose
    /// certificate chains to the agent's roots and names <paramref name="expectedServer"/> (no host name check).
    /// </summary>
    private async Task<HttpClient> CallerAsync(string service, string expectedServer)
    {
        using var agent = new HttpClient { BaseAddress = sample.Endpoint("consul") };
        var leaf = await agent.GetFromJsonAsync<JsonElement>(new Uri($"/v1/agent/connect/ca/leaf/{service}", UriKind.Relative), Ct);
        var rootsAnswer = await agent.GetFromJsonAsync<JsonElement>(new Uri("/v1/agent/connect/ca/roots", UriKind.Relative), Ct);
        using var ephemeral = X509Certificate2.CreateFromPem(leaf.GetProperty("CertPEM").GetString(), leaf.GetProperty("PrivateKeyPEM").GetString());
        var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        var roots = new X509Certificate2Collection();
        foreach (var root in rootsAnswer.GetProperty("Roots").EnumerateArray())
        {
            roots.Add(X509Certificate2.CreateFromPem(root.GetProperty("RootCert").GetString()));
        }

        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [certificate],
                RemoteCertificateValidationCallback = (_, presented, sent, _) =>
                {
                    if (presented is not X509Certificate2 server)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    chain.ChainPolicy.ExtraStore.AddRange(sent?.ChainPolicy.ExtraStore ?? []);
                    var uri = server.GetNameInfo(X509NameType.UrlName, forIssuer: false);   // the SPIFFE id, Consul's one URI SAN
                    return chain.Build(server) && uri.EndsWith("/svc/" + expectedServer, StringComparison.Ordinal);
                },
            },
        };
        return new HttpClient(handler, disposeHandler: true);
    }
}
