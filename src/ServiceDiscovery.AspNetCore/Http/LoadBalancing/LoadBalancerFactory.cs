// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>Creates the built-in balancer for a policy.</summary>
internal static class LoadBalancerFactory
{
    /// <param name="policy">The policy.</param>
    /// <param name="tracker">Requests in flight and ejections per instance.</param>
    /// <param name="random">The random balancers' source (<see cref="RandomSource"/>); <see cref="Random.Shared"/> when <see langword="null"/>.</param>
    public static IConsulLoadBalancer Create(ConsulLoadBalancingPolicy policy, InstanceHealthTracker tracker, Func<double>? random = null) => policy switch
    {
        ConsulLoadBalancingPolicy.RoundRobin => new RoundRobinLoadBalancer(),
        ConsulLoadBalancingPolicy.Random => new RandomLoadBalancer(random ?? RandomSource.Shared),
        ConsulLoadBalancingPolicy.PowerOfTwoChoices => new PowerOfTwoChoicesLoadBalancer(tracker, random ?? RandomSource.Shared),
        ConsulLoadBalancingPolicy.Weighted => new WeightedLoadBalancer(random ?? RandomSource.Shared),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "The load-balancing policy must be RoundRobin, Random, PowerOfTwoChoices or Weighted."),
    };
}
