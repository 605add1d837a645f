// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>
/// A random instance with probability proportional to its Consul weight (<c>Weights.Passing</c>, or
/// <c>Weights.Warning</c> for an instance in warning), as Consul's DNS interface weighs SRV records.
/// </summary>
internal sealed class WeightedLoadBalancer : IConsulLoadBalancer
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
            return span[Random.Shared.Next(span.Length)];
        }

        var target = Random.Shared.NextInt64(total);
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
