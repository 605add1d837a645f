// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// What the discovery handler adds to a request: a plain <see cref="HttpClient"/> to a loopback Kestrel server
/// (baseline) against the same request sent as <c>http://catalog/ping</c> through <c>AddConsulLoadBalancing()</c>,
/// with three instances of <c>catalog</c> (all that server) in the discovery cache.
/// </summary>
[MemoryDiagnoser]
public class HttpHandlerBenchmarks
{
    private WebApplication _server = null!;
    private BenchmarkHost _host = null!;
    private ServiceProvider _clients = null!;
    private HttpClient _plain = null!;
    private HttpClient _discovering = null!;
    private Uri _direct = null!;
    private readonly Uri _byName = new("http://catalog/ping");

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _server = builder.Build();
        _server.MapGet("/ping", () => "pong");
        await _server.StartAsync().ConfigureAwait(false);
        var port = new Uri(_server.Urls.Single()).Port;
        _direct = new Uri($"http://127.0.0.1:{port}/ping");

        _host = await BenchmarkHost.StartAsync().ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            await _host.RegisterAsync($"catalog-{i}", "catalog", port).ConfigureAwait(false);
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = _host.AgentAddress.ToString() })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddHttpClient("plain");
        services.AddHttpClient("consul").AddConsulLoadBalancing();
        _clients = services.BuildServiceProvider();
        var factory = _clients.GetRequiredService<IHttpClientFactory>();
        _plain = factory.CreateClient("plain");
        _discovering = factory.CreateClient("consul");
        using var warm = await _discovering.GetAsync(_byName).ConfigureAwait(false);
        warm.EnsureSuccessStatusCode();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _clients.DisposeAsync().ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, Description = "Plain HttpClient to 127.0.0.1:port")]
    public async Task<int> PlainAsync()
    {
        using var response = await _plain.GetAsync(_direct).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Benchmark(Description = "http://catalog through AddConsulLoadBalancing()")]
    public async Task<int> ThroughConsulAsync()
    {
        using var response = await _discovering.GetAsync(_byName).ConfigureAwait(false);
        return (int)response.StatusCode;
    }
}
