// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>
/// Two distinct random instances, and the one with fewer of this process's requests in flight: close to
/// least-loaded without scanning the list, and without every client herding onto the same "best" instance.
/// </summary>
/// <param name="tracker">Requests in flight per instance.</param>
/// <param name="random">A uniform, thread-safe source in [0, 1) (<see cref="RandomSource"/>).</param>
internal sealed class PowerOfTwoChoicesLoadBalancer(InstanceHealthTracker tracker, Func<double> random) : IConsulLoadBalancer
{
    public ConsulServiceInstance Pick(ConsulServiceInstances instances)
    {
        var count = instances.Count;
        if (count == 1)
        {
            return instances[0];
        }

        var first = random.Below(count);
        var second = random.Below(count - 1);
        if (second >= first)
        {
            second++;
        }

        var a = instances[first];
        var b = instances[second];
        return tracker.InFlight(b) < tracker.InFlight(a) ? b : a;
    }
}
