// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// A Consul agent (an external one when <c>CONSUL_HTTP_ADDR</c> is set, else an in-process <see cref="ConsulTestAgent"/>)
/// plus a service provider with the discovery cache pointed at it.
/// </summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly ConsulTestAgent? _agent;
    private readonly HttpClient _http;

    private BenchmarkHost(ConsulTestAgent? agent, Uri address, ServiceProvider services)
    {
        _agent = agent;
        AgentAddress = address;
        Services = services;
        _http = new HttpClient { BaseAddress = address };
    }

    public Uri AgentAddress { get; }

    public ServiceProvider Services { get; }

    public IConsulServiceDiscovery Discovery => Services.GetRequiredService<IConsulServiceDiscovery>();

    public static async Task<BenchmarkHost> StartAsync(Action<ConsulOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var external = Environment.GetEnvironmentVariable("CONSUL_HTTP_ADDR");
        ConsulTestAgent? agent = null;
        Uri address;
        if (string.IsNullOrEmpty(external))
        {
            agent = await ConsulTestAgent.StartAsync().ConfigureAwait(false);
            address = agent.Address;
        }
        else
        {
            address = new Uri(external);
        }

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = address.ToString() })
            .Build();
        // Warnings reach the console: a watch that fails during a measurement must say why, not only show up as a slow figure.
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration)
            .AddLogging(logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddConsulDiscoveryCache(o => configure?.Invoke(o));
        configureServices?.Invoke(services);
        return new BenchmarkHost(agent, address, services.BuildServiceProvider());
    }

    public async Task RegisterAsync(string id, string name, int port)
    {
        var body = new JsonObject
        {
            ["ID"] = id,
            ["Name"] = name,
            ["Address"] = "127.0.0.1",
            ["Port"] = port,
            ["Check"] = new JsonObject { ["CheckID"] = $"{id}-ttl", ["TTL"] = "1h", ["Status"] = "passing" },
        };
        using var response = await _http.PutAsJsonAsync("/v1/agent/service/register", body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Registers <paramref name="count"/> services <c>svc-{i}</c> through <c>PUT /v1/catalog/register</c> on 100 external
    /// nodes, each with one passing service check, <paramref name="parallelism"/> requests at a time: far faster than
    /// agent registrations, which each run the agent's anti-entropy and check machinery. Its connections are closed
    /// afterwards, so they are not counted as the watching process's.
    /// </summary>
    public async Task RegisterCatalogAsync(int count, int parallelism)
    {
        using var bulk = new HttpClient { BaseAddress = AgentAddress };
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, token) => await RegisterCatalogInstanceAsync(bulk, i, $"scale-node-{i % 100}", 1, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Registers instance <c>svc-{i}-{instance}</c> of <c>svc-{i}</c> on external node <paramref name="node"/>, with a passing check.</summary>
    public Task RegisterCatalogInstanceAsync(int i, string node, int instance, CancellationToken cancellationToken = default)
        => RegisterCatalogInstanceAsync(_http, i, node, instance, cancellationToken);

    private static async Task RegisterCatalogInstanceAsync(HttpClient http, int i, string node, int instance, CancellationToken cancellationToken)
    {
        var id = $"svc-{i}-{instance}";
        var body = new JsonObject
        {
            ["Node"] = node,
            ["Address"] = "127.0.0.1",
            ["Service"] = new JsonObject { ["ID"] = id, ["Service"] = $"svc-{i}", ["Address"] = "127.0.0.1", ["Port"] = 7000 + instance },
            ["Check"] = new JsonObject { ["Node"] = node, ["CheckID"] = $"{id}-check", ["Name"] = $"{id} check", ["Status"] = "passing", ["ServiceID"] = id },
        };
        using var response = await http.PutAsJsonAsync("/v1/catalog/register", body, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Removes instance <c>svc-{i}-{instance}</c> (and its check) from external node <paramref name="node"/>.</summary>
    public async Task DeregisterCatalogInstanceAsync(int i, string node, int instance)
    {
        var body = new JsonObject { ["Node"] = node, ["ServiceID"] = $"svc-{i}-{instance}" };
        using var response = await _http.PutAsJsonAsync("/v1/catalog/deregister", body).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async Task DeregisterAsync(string id)
    {
        using var response = await _http.PutAsync(new Uri($"/v1/agent/service/deregister/{id}", UriKind.Relative), content: null).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await Services.DisposeAsync().ConfigureAwait(false);
        if (_agent is not null)
        {
            await _agent.DisposeAsync().ConfigureAwait(false);
        }
    }
}
