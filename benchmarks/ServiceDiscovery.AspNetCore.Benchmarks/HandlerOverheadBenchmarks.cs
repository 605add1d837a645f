// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Http.LoadBalancing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// The discovery handler's own cost with the network taken out: the same request through an
/// <see cref="HttpMessageInvoker"/> whose terminal handler answers from memory, with and without the discovery handler
/// in front. The loopback figures (<see cref="HttpHandlerBenchmarks"/>) are dominated by the socket round trip.
/// </summary>
[MemoryDiagnoser]
public class HandlerOverheadBenchmarks
{
    private readonly Uri _direct = new("http://127.0.0.1:5001/api/items?page=2");
    private readonly Uri _byName = new("http://catalog/api/items?page=2");
    private readonly Uri _byNamePreferringHttps = new("https+http://catalog/api/items?page=2");
    private BenchmarkHost _host = null!;
    private HttpMessageInvoker _plain = null!;
    private HttpMessageInvoker _discovering = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await BenchmarkHost.StartAsync().ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            await _host.RegisterAsync($"catalog-{i}", "catalog", 5001 + i).ConfigureAwait(false);
        }

        _ = await _host.Discovery.GetInstancesAsync("catalog").ConfigureAwait(false);
        var services = _host.Services;
        var tracker = ActivatorUtilities.CreateInstance<InstanceHealthTracker>(services);
        _plain = new HttpMessageInvoker(new MemoryHandler());
        _discovering = new HttpMessageInvoker(new ConsulDiscoveryHttpHandler(
            _host.Discovery,
            new RoundRobinLoadBalancer(),
            tracker,
            new UnusableSchemeReport(),
            ActivatorUtilities.CreateInstance<HttpDiscoveryMetrics>(services),
            services.GetRequiredService<ILogger<ConsulDiscoveryHttpHandler>>())
        {
            InnerHandler = new MemoryHandler(),
        });
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _plain.Dispose();
        _discovering.Dispose();
        await _host.DisposeAsync().ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, Description = "In-memory handler only")]
    public async Task<int> PlainAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _direct);
        using var response = await _plain.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Benchmark(Description = "Discovery handler + in-memory handler")]
    public async Task<int> ThroughConsulAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _byName);
        using var response = await _discovering.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Benchmark(Description = "Discovery handler (https+http://) + in-memory handler")]
    public async Task<int> ThroughConsulPreferringHttpsAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _byNamePreferringHttps);
        using var response = await _discovering.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private sealed class MemoryHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }
}
