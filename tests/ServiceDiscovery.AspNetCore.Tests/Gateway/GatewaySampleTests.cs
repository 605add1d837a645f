// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Tests.Connect;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Gateway;

/// <summary>
/// <c>samples/Gateway</c> (YARP with <c>http://catalog</c> resolved through Microsoft.Extensions.ServiceDiscovery and the
/// Consul provider) on Kestrel, in front of real catalog apps registered with <c>AddConsulDiscovery()</c>, against a
/// <see cref="ConsulTarget"/> (the test agent, or a real Consul).
/// </summary>
public sealed class GatewaySampleTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
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
    public async Task Gateway_ReachesBothInstances_LosesNoRequestWhenOneStops_AndTakesInANewOneWithoutRestart()
    {
        await using var first = await StartCatalogAsync();
        await using var second = await StartCatalogAsync();
        await using var gateway = await StartGatewayAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.Single()) };

        var hits = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            hits.Add(await http.GetStringAsync(new Uri("/catalog/whoami", UriKind.Relative), Ct));
        }

        Assert.Equal(10, hits.Count(h => h == first.ServiceId));
        Assert.Equal(10, hits.Count(h => h == second.ServiceId));

        // Graceful stop (deregister, drain, stop) under load: Consul pushes the change to YARP, whose destinations
        // shrink before the instance stops listening, so no request fails.
        var stopping = first.App.StopAsync(Ct);
        var failures = new List<string>();
        var afterStop = new List<string>();
        var total = 0;
        while (!stopping.IsCompleted || afterStop.Count < 10)
        {
            total++;
            using var response = await http.GetAsync(new Uri("/catalog/whoami", UriKind.Relative), Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"{(int)response.StatusCode} {body}");
            }
            else if (stopping.IsCompleted)
            {
                afterStop.Add(body);
            }
        }

        await stopping;
        Assert.Empty(failures);
        Assert.True(total > 10, $"only {total} requests ran during the stop");
        TestContext.Current.TestOutputHelper?.WriteLine($"{total} requests through the gateway while an instance stopped, 0 failed");
        Assert.All(afterStop, who => Assert.Equal(second.ServiceId, who));

        // A new instance joins the rotation with the same gateway process.
        await using var third = await StartCatalogAsync();
        var seen = new HashSet<string>();
        await Eventually.WaitAsync(
            async () =>
            {
                seen.Add(await http.GetStringAsync(new Uri("/catalog/whoami", UriKind.Relative), Ct));
                return seen.Contains(third.ServiceId) && seen.Contains(second.ServiceId);
            },
            Deadline,
            "the new instance and the survivor both answer through the gateway");
        Assert.DoesNotContain(first.ServiceId, seen);
    }

    [Fact]
    public async Task GatewayWithConnect_ForwardsToAConnectNativeInstanceOverMutualTls_PresentingItsOwnLeaf()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var gateway = await StartGatewayAsync(new() { ["Consul:Connect:Enabled"] = "true", ["Consul:Connect:ClientOnly"] = "true" });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.Single()) };   // the gateway's own listener stays plain HTTP

        var answers = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await http.GetStringAsync(new Uri("/catalog/caller", UriKind.Relative), Ct));
        }

        Assert.All(answers, a => Assert.True(ConnectNativeApp.IsMutualTlsFrom(a, "gateway"), a));
        Assert.Equal(3, catalog.Requests);
    }

    /// <summary>
    /// The YARP path with intentions: allowed, then <c>gateway → catalog</c> denied through the agent, then allowed again.
    /// YARP keeps its connections to catalog pooled, and Connect authorizes per connection, so catalog closes each
    /// connection after its answer (<c>/caller-close</c>, the cluster set to HTTP/1.1): every forward is a new handshake.
    /// </summary>
    [Fact]
    public async Task GatewayWithConnect_IntentionChangedToDeny_RefusesNewConnections_AndAllowServesAgain()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var gateway = await StartGatewayAsync(new()
        {
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Connect:ClientOnly"] = "true",
            ["ReverseProxy:Clusters:catalog:HttpRequest:Version"] = "1.1",
            ["ReverseProxy:Clusters:catalog:HttpRequest:VersionPolicy"] = "RequestVersionExact",
        });
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.Single()) };
        await using var intention = new ConnectIntention(_consul, "gateway", _catalog);
        Assert.True(ConnectNativeApp.IsMutualTlsFrom(await http.GetStringAsync(new Uri("/catalog/caller-close", UriKind.Relative), Ct), "gateway"));

        var toRefused = await intention.WriteAndWaitAsync("deny", () => ForwardedAsync(http, HttpStatusCode.BadGateway), Deadline, "a forward on a new connection is refused after the deny");
        var served = catalog.Requests;
        Assert.False(await ForwardedAsync(http, HttpStatusCode.OK));   // and stays refused
        Assert.Equal(served, catalog.Requests);                        // refused forwards never reached the app
        var denied = catalog.Logs.GetSnapshot().Where(r => r.Id.Name == "ConnectCallerDenied").ToList();
        Assert.NotEmpty(denied);
        Assert.All(denied, r => Assert.Contains(intention.Reason("DENY"), r.Message, StringComparison.Ordinal));

        var toServed = await intention.WriteAndWaitAsync("allow", () => ForwardedAsync(http, HttpStatusCode.OK), Deadline, "a forward on a new connection is served after the allow");
        Assert.True(ConnectNativeApp.IsMutualTlsFrom(await http.GetStringAsync(new Uri("/catalog/caller-close", UriKind.Relative), Ct), "gateway"));
        TestContext.Current.TestOutputHelper?.WriteLine($"YARP: deny refused a new connection after {toRefused.TotalMilliseconds:0} ms, allow served one after {toServed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task GatewayWithoutConnect_NeverReachesAConnectNativeInstance()
    {
        await using var catalog = await ConnectNativeApp.StartAsync(_consul, _catalog);
        await using var gateway = await StartGatewayAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Urls.Single()) };

        using var response = await http.GetAsync(new Uri("/catalog/caller", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);  // YARP's answer to a failed forward
        Assert.Equal(0, catalog.Requests);
    }

    /// <summary>Whether a forward to catalog's <c>/caller-close</c> ended with <paramref name="wanted"/>; fails on a status that is neither 200 nor 502.</summary>
    private static async Task<bool> ForwardedAsync(HttpClient http, HttpStatusCode wanted)
    {
        using var response = await http.GetAsync(new Uri("/catalog/caller-close", UriKind.Relative), Ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadGateway, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return response.StatusCode == wanted;
    }

    private async Task<RegisteredApp> StartCatalogAsync()
    {
        var app = await RegisteredApp.StartAsync(_consul, _catalog, settings: new() { ["Consul:Registration:DrainDelay"] = "00:00:00.500" });
        await _consul.WaitUntilAsync(s => s.CheckStatus(app.ServiceId) == "passing", Deadline, $"{app.ServiceId} passes");
        return app;
    }

    private async Task<WebApplication> StartGatewayAsync(Dictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.AddGateway(); // the sample's own wiring and gateway.json
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = _consul.Address.ToString(),
            ["Consul:Token"] = _consul.Token,

            // The service's name on a shared real Consul is unique per test run (the sample's is "catalog").
            ["ReverseProxy:Clusters:catalog:Destinations:catalog:Address"] = $"http://{_catalog}",
            ["Consul:Service:Name"] = "gateway",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync(Ct);
        return app;
    }
}
