// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

public sealed partial class ConsulOptions
{
    /// <summary>Gets the HttpClient integration settings, bound from <c>Consul:LoadBalancing</c>.</summary>
    public ConsulLoadBalancingOptions LoadBalancing { get; } = new();
}
