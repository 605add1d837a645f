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

    /// <summary>
    /// "orders": Kestrel on plain http, <c>Consul:Connect:ClientOnly</c> (it calls Connect services, serves none), and an
    /// HttpClient <c>http://{catalog}</c> with Microsoft.Extensions.ServiceDiscovery; <c>GET /call</c> returns catalog's
    /// <c>/caller</c> answer, or 502 with the exception's message.
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
                return Results.Text(await clients.CreateClient("catalog").GetStringAsync(new Uri("/caller", UriKind.Relative), cancellationToken));
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
