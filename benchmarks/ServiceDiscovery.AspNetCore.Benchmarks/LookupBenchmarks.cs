// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// A cached lookup against the baseline most Consul clients use (Steeltoe's and Ocelot's defaults): one
/// <c>/v1/health/service/{name}?passing</c> query to the agent per lookup, over loopback.
/// </summary>
[MemoryDiagnoser]
public class LookupBenchmarks
{
    private static readonly HealthServiceQuery Passing = new() { PassingOnly = true };
    private BenchmarkHost _host = null!;
    private IConsulServiceDiscovery _discovery = null!;
    private IConsulHealthApi _client = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await BenchmarkHost.StartAsync().ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            await _host.RegisterAsync($"catalog-{i}", "catalog", 5000 + i).ConfigureAwait(false);
        }

        _discovery = _host.Discovery;
        _client = _host.Services.GetRequiredService<IConsulHealthApi>();
        var instances = await _discovery.GetInstancesAsync("catalog").ConfigureAwait(false);
        if (instances.Count != 3)
        {
            throw new InvalidOperationException($"Expected 3 instances, got {instances.Count}.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _host.DisposeAsync().ConfigureAwait(false);

    [Benchmark(Baseline = true, Description = "Agent query per lookup")]
    public async Task<int> AgentQueryPerLookupAsync()
    {
        var result = await _client.GetHealthServiceAsync("catalog", Passing, QueryOptions.Default, CancellationToken.None).ConfigureAwait(false);
        return result.Value.Count;
    }

    [Benchmark(Description = "TryGetCached")]
    public int TryGetCached() => _discovery.TryGetCached("catalog", out var instances) ? instances.Count : -1;

    [Benchmark(Description = "GetInstancesAsync (cached)")]
    public int GetInstancesCached()
    {
        var lookup = _discovery.GetInstancesAsync("catalog");
        // After the first fetch a lookup completes synchronously: that is what is measured.
#pragma warning disable VSTHRD002 // Result is read only once IsCompletedSuccessfully says it is there.
        return lookup.IsCompletedSuccessfully ? lookup.Result.Count : throw new InvalidOperationException("The lookup was not answered from the cache.");
#pragma warning restore VSTHRD002
    }
}
