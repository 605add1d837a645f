// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Settings of the HttpClient integration (<c>Consul:LoadBalancing</c>).</summary>
public sealed class ConsulLoadBalancingOptions
{
    /// <summary>Gets or sets the policy used by clients that do not choose one.</summary>
    /// <value>The default is <see cref="ConsulLoadBalancingPolicy.RoundRobin"/>.</value>
    public ConsulLoadBalancingPolicy Policy { get; set; } = ConsulLoadBalancingPolicy.RoundRobin;

    /// <summary>
    /// Gets or sets how long an instance is avoided after a connection to it failed (passive health), so a retry picks
    /// another. Zero turns passive ejection off.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan EjectionDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how many consecutive 5xx responses from one instance eject it for <see cref="EjectionDuration"/>
    /// (outlier detection, as Envoy's <c>consecutive_5xx</c>); any other response resets the count. Zero turns it off:
    /// a 5xx is the application's answer, and ejecting on it is a choice.
    /// </summary>
    /// <value>The default is 0 (off).</value>
    public int ConsecutiveFailuresToEject { get; set; }
}
