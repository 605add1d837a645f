// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>
/// A random instance with probability proportional to its Consul weight (<c>Weights.Passing</c>, or
/// <c>Weights.Warning</c> for an instance in warning), as Consul's DNS interface weighs SRV records.
/// </summary>
/// <param name="random">A uniform, thread-safe source in [0, 1) (<see cref="RandomSource"/>).</param>
internal sealed class WeightedLoadBalancer(Func<double> random) : IConsulLoadBalancer
{
    public ConsulServiceInstance Pick(ConsulServiceInstances instances)
    {
        var span = instances.AsSpan();
        long total = 0;
        foreach (var instance in span)
        {
            total += Math.Max(instance.Weight, 0);
        }

        if (total == 0)
        {
            // Every weight 0 (warning weight 0 on all of them): weights say nothing, so spread evenly.
            return span[random.Below(span.Length)];
        }

        var target = random.Below(total);
        foreach (var instance in span)
        {
            target -= Math.Max(instance.Weight, 0);
            if (target < 0)
            {
                return instance;
            }
        }

        return span[^1];
    }
}
