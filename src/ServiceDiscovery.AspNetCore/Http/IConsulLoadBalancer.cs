// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Picks the instance a request goes to. Implement it for a custom policy and add it with
/// <c>AddConsulLoadBalancing&lt;TBalancer&gt;()</c> on an <c>IHttpClientBuilder</c>.
/// </summary>
/// <remarks>
/// Called on every request, concurrently: implementations must be thread-safe and should not allocate. The handler
/// skips instances passively ejected after a connection failure by asking again, so a balancer should not return the
/// same instance every time for the same list.
/// </remarks>
public interface IConsulLoadBalancer
{
    /// <summary>Picks one of <paramref name="instances"/>.</summary>
    /// <param name="instances">The healthy instances of one service; never empty.</param>
    /// <returns>The chosen instance, one of <paramref name="instances"/>.</returns>
    ConsulServiceInstance Pick(ConsulServiceInstances instances);
}
