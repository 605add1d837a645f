// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>A uniformly random instance.</summary>
internal sealed class RandomLoadBalancer : IConsulLoadBalancer
{
    public ConsulServiceInstance Pick(ConsulServiceInstances instances) => instances[Random.Shared.Next(instances.Count)];
}
