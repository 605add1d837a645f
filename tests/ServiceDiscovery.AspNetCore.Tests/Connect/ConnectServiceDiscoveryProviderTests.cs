// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// Microsoft.Extensions.ServiceDiscovery with the Consul provider and Connect, end to end: a Connect-native "catalog"
/// (<see cref="ConnectNativeApp"/>) and an "orders" app on Kestrel whose HttpClient uses <c>AddServiceDiscovery()</c>
/// (not this library's load-balancing handler) for <c>http://catalog</c>, against a <see cref="ConsulTarget"/>.
/// </summary>
public sealed class ConnectServiceDiscoveryProviderTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private ConsulTarget _consul = null!;
    private string _catalog = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _catalog = _consul.ServiceName("catalog");
    }

    public async ValueTask DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task ServiceDiscoveryHttpClient_CallsTheConnectNativeInstanceOverMutualTls_PresentingItsLeaf()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var orders = await StartOrdersAsync(withConnect: true);
        using var http = new HttpClient { BaseAddress = new Uri(orders.Urls.Single()) };

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await http.GetStringAsync(new Uri("/call", UriKind.Relative), Ct));  // plain HTTP into orders (client only)
        }

        Assert.All(answers, a => Assert.True(ConnectNativeApp.IsMutualTlsFrom(a, "orders"), a));
        Assert.Equal(3, catalog.Requests);
    }

    [Fact]
    public async Task WithoutAddConsulConnect_TheCallFailsNamingIt_AndNothingReachesTheInstance()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var orders = await StartOrdersAsync(withConnect: false);
        using var http = new HttpClient { BaseAddress = new Uri(orders.Urls.Single()) };

        using var response = await http.GetAsync(new Uri("/call", UriKind.Relative), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("is Connect-native (mTLS only), but this app has no Connect identity", body, StringComparison.Ordinal);
        Assert.Contains("AddConsulConnect()", body, StringComparison.Ordinal);
        Assert.Equal(0, catalog.Requests);
    }

    [Fact]
    public async Task IntentionChangedToDeny_RefusesNewConnections_LogsTheIntention_AndAllowServesAgain()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var orders = await StartOrdersAsync(withConnect: true);
        using var http = new HttpClient { BaseAddress = new Uri(orders.Urls.Single()) };
        await using var intention = new ConnectIntention(_consul, "orders", _catalog);
        var (status, answer) = await CallAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(ConnectNativeApp.IsMutualTlsFrom(answer, "orders"), answer);   // allowed: the default

        // Deny: each call is a new connection, authorized at its handshake; the first refused one ends the wait.
        var toRefused = await intention.WriteAndWaitAsync("deny", () => OutcomeAsync(http, HttpStatusCode.BadGateway), Deadline, "a new connection is refused after the deny");
        var served = catalog.Requests;
        Assert.Equal(HttpStatusCode.BadGateway, (await CallAsync(http)).Status);   // and stays refused
        Assert.Equal(served, catalog.Requests);                                    // refused calls never reached the app
        var denied = catalog.Logs.GetSnapshot().Where(r => r.Id.Name == "ConnectCallerDenied").ToList();
        Assert.NotEmpty(denied);
        Assert.All(denied, r => Assert.Contains(intention.Reason("DENY"), r.Message, StringComparison.Ordinal));
        Assert.All(denied, r => Assert.Contains("/svc/orders", r.Message, StringComparison.Ordinal));

        var toServed = await intention.WriteAndWaitAsync("allow", () => OutcomeAsync(http, HttpStatusCode.OK), Deadline, "a new connection is served after the allow");
        (status, answer) = await CallAsync(http);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(ConnectNativeApp.IsMutualTlsFrom(answer, "orders"), answer);
        TestContext.Current.TestOutputHelper?.WriteLine($"ME.SD client: deny refused a new connection after {toRefused.TotalMilliseconds:0} ms, allow served one after {toServed.TotalMilliseconds:0} ms");
    }

    /// <summary>orders' <c>GET /call</c>: catalog's answer (200) or the failure's message (502).</summary>
    private static async Task<(HttpStatusCode Status, string Body)> CallAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/call", UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Whether orders' call ended with <paramref name="wanted"/>; fails on a status that is neither 200 nor 502.</summary>
    private static async Task<bool> OutcomeAsync(HttpClient http, HttpStatusCode wanted)
    {
        var (status, body) = await CallAsync(http);
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadGateway, $"{(int)status} {body}");
        return status == wanted;
    }

    /// <summary>
    /// "orders": Kestrel on plain http, <c>Consul:Connect:ClientOnly</c> (it calls Connect services, serves none), and an
    /// HttpClient <c>http://{catalog}</c> with Microsoft.Extensions.ServiceDiscovery; <c>GET /call</c> returns catalog's
    /// <c>/caller</c> answer, or 502 with the exception's message. Each call is a new connection (<c>Connection: close</c>):
    /// Connect authorizes a caller per connection, at the TLS handshake.
    /// </summary>
    private async Task<WebApplication> StartOrdersAsync(bool withConnect)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = _consul.Address.ToString(),
            ["Consul:Token"] = _consul.Token,
            ["Consul:Service:Name"] = "orders",
            ["Consul:Connect:Enabled"] = withConnect ? "true" : "false",
            ["Consul:Connect:ClientOnly"] = "true",
        });
        builder.Services.AddServiceDiscovery();
        builder.Services.AddConsulServiceEndpointProvider();
        if (withConnect)
        {
            builder.Services.AddConsulConnect();
        }

        builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri($"http://{_catalog}")).AddServiceDiscovery();
        var app = builder.Build();
        app.MapGet("/call", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/caller", UriKind.Relative));
                request.Headers.ConnectionClose = true;
                using var response = await clients.CreateClient("catalog").SendAsync(request, cancellationToken);
                return Results.Text(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cancellationToken));
            }
            catch (HttpRequestException e)
            {
                return Results.Text(e.Message, statusCode: StatusCodes.Status502BadGateway);
            }
        });
        await app.StartAsync(Ct);
        return app;
    }
}
