// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>How the HttpClient integration picks one healthy instance for a request.</summary>
public enum ConsulLoadBalancingPolicy
{
    /// <summary>Each instance in turn (per service name).</summary>
    RoundRobin,

    /// <summary>A uniformly random instance.</summary>
    Random,

    /// <summary>Two random instances, and of those the one with fewer requests in flight from this process.</summary>
    PowerOfTwoChoices,

    /// <summary>A random instance with probability proportional to its Consul weight (passing or warning weight).</summary>
    Weighted,
}
