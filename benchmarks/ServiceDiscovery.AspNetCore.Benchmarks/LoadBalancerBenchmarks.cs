// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Http.LoadBalancing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>One pick per policy over ten instances: the balancer's share of the handler's cost, and its allocations (none).</summary>
[MemoryDiagnoser]
public class LoadBalancerBenchmarks
{
    private readonly ConsulServiceInstances _instances = new(
        "catalog",
        Enumerable.Range(0, 10).Select(i => new ConsulServiceInstance($"catalog-{i}", "catalog", "10.0.0.1", 5000 + i, passingWeight: 1 + i)));

    private readonly RoundRobinLoadBalancer _roundRobin = new();
    private readonly RandomLoadBalancer _random = new(RandomSource.Shared);
    private readonly WeightedLoadBalancer _weighted = new(RandomSource.Shared);
    private readonly InstanceHealthTracker _tracker = new(TimeProvider.System, new FixedOptions());
    private PowerOfTwoChoicesLoadBalancer _powerOfTwo = null!;

    [GlobalSetup]
    public void Setup()
    {
        _powerOfTwo = new PowerOfTwoChoicesLoadBalancer(_tracker, RandomSource.Shared);

        // Every instance has had traffic, so power-of-two reads real in-flight state rather than the empty fast path.
        foreach (var instance in _instances)
        {
            _tracker.RequestStarted(instance);
            _tracker.RequestEnded(instance);
        }
    }

    [Benchmark(Baseline = true)]
    public ConsulServiceInstance RoundRobin() => _roundRobin.Pick(_instances);

    [Benchmark]
    public ConsulServiceInstance Random() => _random.Pick(_instances);

    [Benchmark]
    public ConsulServiceInstance Weighted() => _weighted.Pick(_instances);

    [Benchmark]
    public ConsulServiceInstance PowerOfTwoChoices() => _powerOfTwo.Pick(_instances);

    private sealed class FixedOptions : IOptionsMonitor<ConsulOptions>
    {
        public ConsulOptions CurrentValue { get; } = new();

        public ConsulOptions Get(string? name) => CurrentValue;

        public IDisposable? OnChange(Action<ConsulOptions, string?> listener) => null;
    }
}
