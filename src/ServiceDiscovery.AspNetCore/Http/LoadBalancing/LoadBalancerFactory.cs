// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>Creates the built-in balancer for a policy.</summary>
internal static class LoadBalancerFactory
{
    public static IConsulLoadBalancer Create(ConsulLoadBalancingPolicy policy, InstanceHealthTracker tracker) => policy switch
    {
        ConsulLoadBalancingPolicy.RoundRobin => new RoundRobinLoadBalancer(),
        ConsulLoadBalancingPolicy.Random => new RandomLoadBalancer(),
        ConsulLoadBalancingPolicy.PowerOfTwoChoices => new PowerOfTwoChoicesLoadBalancer(tracker),
        ConsulLoadBalancingPolicy.Weighted => new WeightedLoadBalancer(),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "The load-balancing policy must be RoundRobin, Random, PowerOfTwoChoices or Weighted."),
    };
}
