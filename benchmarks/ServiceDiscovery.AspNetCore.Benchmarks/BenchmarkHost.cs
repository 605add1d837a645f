// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    public static async Task<BenchmarkHost> StartAsync(Action<ConsulOptions>? configure = null)
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
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddConsulDiscoveryClient(o => configure?.Invoke(o));
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
