// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.ServiceDiscovery;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// Real apps on Kestrel registered with <c>AddConsulDiscovery()</c>, called by name through an HttpClient with
/// <c>AddConsulLoadBalancing()</c> or through Microsoft.Extensions.ServiceDiscovery, against <see cref="ConsulTarget"/>.
/// </summary>
public sealed class HttpDiscoveryIntegrationTests : HttpIntegrationTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RoundRobin_ReachesBothInstancesAndLosesNoCallWhenOneStops()
    {
        await using var first = await StartCatalogAsync();
        await using var second = await StartCatalogAsync();
        var http = CreateClient(b => b.AddConsulLoadBalancing());

        var hits = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            hits.Add(await http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));
        }

        Assert.Equal(10, hits.Count(h => h == first.ServiceId));
        Assert.Equal(10, hits.Count(h => h == second.ServiceId));

        // Graceful stop (deregister, then drain) while calls go on: none fails, and they end up on the survivor.
        var stopping = first.App.StopAsync(Ct);
        var failures = 0;
        var afterStop = new List<string>();
        while (!stopping.IsCompleted || afterStop.Count < 10)
        {
            try
            {
                var who = await http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct);
                if (stopping.IsCompleted)
                {
                    afterStop.Add(who);
                }
            }
            catch (HttpRequestException)
            {
                failures++;
            }
        }

        await stopping;
        Assert.Equal(0, failures);
        Assert.All(afterStop, who => Assert.Equal(second.ServiceId, who));
    }

    [Fact]
    public async Task InstanceStopsAnswering_ResilienceRetryReachesTheOther()
    {
        await using var alive = await StartCatalogAsync();
        var deadId = $"{Catalog}-dead";
        await RegisterPassingInstanceAsync(deadId, port: LoopbackPort.Closed());
        await Consul.WaitUntilAsync(s => s.CheckStatus(alive.ServiceId) == "passing" && s.Checks.Any(c => c.ServiceId == deadId && c.Status == "passing"), Deadline, "both instances pass");
        var http = CreateClient(b =>
        {
            b.AddStandardResilienceHandler(); // outermost: each retry goes through discovery again
            b.AddConsulLoadBalancing();
        });

        try
        {
            for (var i = 0; i < 10; i++)
            {
                Assert.Equal(alive.ServiceId, await http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));
            }
        }
        finally
        {
            await DeregisterThroughHttpAsync(deadId); // leaves a shared real Consul as it was
        }
    }

    [Fact]
    public async Task InstanceAcceptsButNeverAnswers_AttemptTimeoutRetryReachesTheOther()
    {
        await using var alive = await StartCatalogAsync();
        using var hung = new TcpListener(IPAddress.Loopback, 0); // the kernel accepts; nothing ever answers
        hung.Start();
        var hungId = $"{Catalog}-hung";
        await RegisterPassingInstanceAsync(hungId, port: ((IPEndPoint)hung.LocalEndpoint).Port);
        await Consul.WaitUntilAsync(s => s.Checks.Any(c => c.ServiceId == hungId && c.Status == "passing"), Deadline, "the hung instance passes");
        var http = CreateClient(b =>
        {
            b.AddStandardResilienceHandler(o =>
            {
                o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
                o.Retry.Delay = TimeSpan.FromMilliseconds(10);
            });
            b.AddConsulLoadBalancing();
        });

        try
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(alive.ServiceId, await http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));
            }

            // Round-robin sent some attempts to the hung instance first (connections wait in its accept queue): the
            // calls succeeded because the retry after each attempt timeout went to the other one.
            Assert.True(hung.Pending(), "no attempt reached the hung instance");
        }
        finally
        {
            await DeregisterThroughHttpAsync(hungId);
        }
    }

    [Fact]
    public async Task NoInstance_ClearErrorNamingTheService()
    {
        var http = CreateClient(b => b.AddConsulLoadBalancing());

        var ex = await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));

        Assert.Equal(Catalog, ex.ServiceName);
    }

    [Fact]
    public async Task ServiceEndpointProvider_ResolvesAndFollowsConsulWithoutPolling()
    {
        await using var first = await StartCatalogAsync();
        await Consul.WaitUntilAsync(s => s.CheckStatus(first.ServiceId) == "passing", Deadline, "the first instance passes");
        var services = NewClientServices();
        services.AddServiceDiscoveryCore();
        services.AddConsulServiceEndpointProvider();
        Client = services.BuildServiceProvider();
        var resolver = Client.GetRequiredService<ServiceEndpointResolver>();

        var endpoints = await resolver.GetEndpointsAsync($"http://{Catalog}", Ct);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, first.Port), Assert.Single(endpoints.Endpoints).EndPoint);

        await using var second = await StartCatalogAsync();
        await Consul.WaitUntilAsync(s => s.CheckStatus(second.ServiceId) == "passing", Deadline, "the second instance passes");

        // Microsoft.Extensions.ServiceDiscovery's own refresh period is 60 s: seeing the change in seconds means the
        // Consul change token pushed it.
        await Eventually.WaitAsync(
            async () => (await resolver.GetEndpointsAsync($"http://{Catalog}", Ct)).Endpoints.Count == 2,
            Deadline);

        if (!Consul.IsRealConsul)
        {
            // Two queries per change (the answer, then the next blocking query): nothing polls in between.
            var agent = Consul.RequireTestAgent("counts requests");
            var before = agent.CountRequests($"/v1/health/service/{Catalog}");
            for (var i = 0; i < 20; i++)
            {
                _ = await resolver.GetEndpointsAsync($"http://{Catalog}", Ct);
            }

            Assert.Equal(before, agent.CountRequests($"/v1/health/service/{Catalog}"));
        }
    }

    /// <summary>
    /// Consul fails the first two lookups of a never-fetched name (a brief outage at the first call): the failure
    /// reaches the resilience pipeline as a transient HttpRequestException, and its retries are not held back by the
    /// watch's 30 s backoff.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConsulFailsTheFirstLookups_ResilienceRetrySucceeds(bool throughServiceDiscovery)
    {
        await using var catalog = await StartCatalogAsync();
        var agent = Consul.RequireTestAgent("fails Consul requests on purpose");
        var settings = new Dictionary<string, string?> { ["Consul:Discovery:RetryDelay"] = "00:00:30", ["Consul:Discovery:MaxRetryDelay"] = "00:01:00" };
        var services = NewClientServices(settings);
        var builder = services.AddHttpClient("caller");
        builder.AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.FromMilliseconds(200));
        if (throughServiceDiscovery)
        {
            services.AddServiceDiscoveryCore();
            services.AddConsulServiceEndpointProvider();
            builder.AddServiceDiscovery();
        }
        else
        {
            builder.AddConsulLoadBalancing();
        }

        Client = services.BuildServiceProvider();
        var http = Client.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
        agent.FailNextRequests(2, statusCode: 500, pathPrefix: $"/v1/health/service/{Catalog}");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(catalog.ServiceId, await http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));
        TestContext.Current.TestOutputHelper?.WriteLine($"first call succeeded after {clock.ElapsedMilliseconds} ms ({agent.CountRequests($"/v1/health/service/{Catalog}")} health queries)");
    }

    [Fact]
    public async Task ConsulFailsTheLookup_CallerSeesTransientHttpRequestExceptionWithTheConsulCause()
    {
        var agent = Consul.RequireTestAgent("fails Consul requests on purpose");
        var http = CreateClient(b => b.AddConsulLoadBalancing());
        agent.FailNextRequests(1, statusCode: 500, pathPrefix: $"/v1/health/service/{Catalog}");

        var ex = await Assert.ThrowsAsync<ConsulServiceUnavailableException>(() => http.GetStringAsync(new Uri($"http://{Catalog}/whoami"), Ct));

        Assert.Equal(Catalog, ex.ServiceName);
        var cause = Assert.IsType<ConsulException>(ex.InnerException);
        Assert.Equal(HttpStatusCode.InternalServerError, cause.StatusCode);
        Assert.Contains(Catalog, ex.Message, StringComparison.Ordinal);
    }

    private async Task<RegisteredApp> StartCatalogAsync()
    {
        var app = await RegisteredApp.StartAsync(Consul, Catalog, settings: new() { ["Consul:Registration:DrainDelay"] = "00:00:00.500" });
        await Consul.WaitUntilAsync(s => s.CheckStatus(app.ServiceId) == "passing", Deadline, $"{app.ServiceId} passes");
        return app;
    }

    private ServiceCollection NewClientServices(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Consul:Address"] = Consul.Address.ToString();
        settings["Consul:Token"] = Consul.Token;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        return services;
    }

    private HttpClient CreateClient(Action<IHttpClientBuilder> configure, Dictionary<string, string?>? settings = null)
    {
        var services = NewClientServices(settings);
        configure(services.AddHttpClient("caller"));
        Client = services.BuildServiceProvider();
        return Client.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
    }


    private async Task RegisterPassingInstanceAsync(string id, int port)
    {
        using var http = ConsulHttp();
        using var response = await http.PutAsJsonAsync("/v1/agent/service/register", new
        {
            ID = id,
            Name = Catalog,
            Address = "127.0.0.1",
            Port = port,
            Check = new { CheckID = $"{id}-ttl", TTL = "10m", Status = "passing" },
        }, Ct);
        response.EnsureSuccessStatusCode();
    }

    private async Task DeregisterThroughHttpAsync(string id)
    {
        using var http = ConsulHttp();
        using var response = await http.PutAsync($"/v1/agent/service/deregister/{id}", content: null, CancellationToken.None);
    }

    private HttpClient ConsulHttp()
    {
        var http = new HttpClient { BaseAddress = Consul.Address };
        if (!string.IsNullOrEmpty(Consul.Token))
        {
            http.DefaultRequestHeaders.Add("X-Consul-Token", Consul.Token);
        }

        return http;
    }
}
