// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// docs/reliability.md's scenarios end to end: real catalog apps on Kestrel registered with <c>AddConsulDiscovery()</c>,
/// an orders-like caller under steady load through <c>AddConsulLoadBalancing()</c>, and something going wrong; each
/// counts the failed calls and reports them with the recovery time.
/// </summary>
public sealed class ReliabilityScenarioTests : HttpIntegrationTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private Uri Whoami => new($"http://{Catalog}/whoami");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AgentRestartsWithoutState_NoCallFails()
    {
        var agent = Consul.RequireTestAgent("restarts the agent without its state");
        await using var first = await StartCatalogAsync();
        await using var second = await StartCatalogAsync();
        var http = CreateClient(b => b.AddConsulLoadBalancing());
        await using var load = SteadyLoad.Start(http, Whoami);
        await load.RunMoreAsync(100);

        var clock = Stopwatch.StartNew();
        await agent.RestartAsync(keepState: false, Ct);
        await Consul.WaitUntilAsync(
            s => s.CheckStatus(first.ServiceId) == "passing" && s.CheckStatus(second.ServiceId) == "passing",
            Deadline,
            "both catalog instances are back and passing");
        await AssertNoFailureAsync("agent restart without state", load, clock.Elapsed, moreCalls: 200);
    }

    [Fact]
    public Task InstanceCrashes_NoCallFailsThroughTheResilienceRetry() => OneOfTwoInstancesCrashes_NoCallFailsAsync("instance crash", b =>
    {
        b.AddStandardResilienceHandler();
        b.AddConsulLoadBalancing();
    });

    /// <summary>
    /// The Microsoft.Extensions.ServiceDiscovery path has no passive ejection of its own (the provider hands endpoints
    /// over and never learns how calls went): the standard resilience handler, added before <c>AddServiceDiscovery()</c>,
    /// closes the gap, since each retry resolves again and the round-robin selector picks the other instance.
    /// </summary>
    [Fact]
    public Task InstanceCrashes_ServiceDiscoveryProvider_NoCallFailsThroughTheResilienceRetry() =>
        OneOfTwoInstancesCrashes_NoCallFailsAsync("instance crash, Microsoft.Extensions.ServiceDiscovery path", b =>
        {
            b.Services.AddServiceDiscoveryCore();
            b.Services.AddConsulServiceEndpointProvider();
            b.AddStandardResilienceHandler();
            b.AddServiceDiscovery();
        });

    [Fact]
    public async Task RollingRestartOfThreeInstances_NoCallFails()
    {
        var apps = new List<RegisteredApp> { await StartCatalogAsync(), await StartCatalogAsync(), await StartCatalogAsync() };
        try
        {
            var http = CreateClient(b => b.AddConsulLoadBalancing());
            await using var load = SteadyLoad.Start(http, Whoami);
            await load.RunMoreAsync(100);

            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 3; i++)
            {
                // Graceful: deregister, drain, stop; then the replacement starts and passes before the next one goes.
                await apps[i].App.StopAsync(Ct);
                await apps[i].DisposeAsync();
                apps[i] = await StartCatalogAsync();
                await load.RunMoreAsync(50);
            }

            await AssertNoFailureAsync("rolling restart of 3 instances", load, clock.Elapsed, moreCalls: 100);
        }
        finally
        {
            foreach (var app in apps)
            {
                await app.DisposeAsync();
            }
        }
    }

    /// <summary>Lets <paramref name="moreCalls"/> more calls run after the recovery, then reports and checks the count.</summary>
    private static async Task AssertNoFailureAsync(string scenario, SteadyLoad load, TimeSpan recovery, int moreCalls)
    {
        await load.RunMoreAsync(moreCalls);
        await load.StopAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"{scenario}: {load.Failed} of {load.Total} calls failed; back to normal in Consul after {recovery.TotalMilliseconds:F0} ms");
        Assert.True(load.Failed == 0, string.Join(Environment.NewLine, load.Errors.Take(5)));
    }

    private async Task OneOfTwoInstancesCrashes_NoCallFailsAsync(string scenario, Action<IHttpClientBuilder> configure)
    {
        await using var crashing = await StartCatalogAsync();
        await using var survivor = await StartCatalogAsync();
        var http = CreateClient(configure);
        await using var load = SteadyLoad.Start(http, Whoami);
        await load.RunMoreAsync(100);

        // A crash: Kestrel stops listening, nothing deregisters; Consul finds out from the failing check.
        var clock = Stopwatch.StartNew();
        await crashing.App.Services.GetRequiredService<IServer>().StopAsync(Ct);
        await Consul.WaitUntilAsync(s => s.CheckStatus(crashing.ServiceId) == "critical", Deadline, "the crashed instance's check fails");
        await AssertNoFailureAsync(scenario, load, clock.Elapsed, moreCalls: 200);
    }

    private async Task<RegisteredApp> StartCatalogAsync()
    {
        var app = await RegisteredApp.StartAsync(Consul, Catalog, settings: new() { ["Consul:Registration:DrainDelay"] = "00:00:00.500" });
        await Consul.WaitUntilAsync(s => s.CheckStatus(app.ServiceId) == "passing", Deadline, $"{app.ServiceId} passes");
        return app;
    }

    private HttpClient CreateClient(Action<IHttpClientBuilder> configure)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = Consul.Address.ToString(), ["Consul:Token"] = Consul.Token })
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        configure(services.AddHttpClient("caller"));
        Client = services.BuildServiceProvider();
        return Client.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
    }
}
