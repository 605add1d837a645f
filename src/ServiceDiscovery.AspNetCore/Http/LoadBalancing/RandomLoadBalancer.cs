// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>A uniformly random instance.</summary>
/// <param name="random">A uniform, thread-safe source in [0, 1) (<see cref="RandomSource"/>).</param>
internal sealed class RandomLoadBalancer(Func<double> random) : IConsulLoadBalancer
{
    public ConsulServiceInstance Pick(ConsulServiceInstances instances) => instances[random.Below(instances.Count)];
}
