// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

public sealed partial class ConsulOptions
{
    /// <summary>Gets the discovery cache settings, bound from <c>Consul:Discovery</c>.</summary>
    public ConsulDiscoveryOptions Discovery { get; } = new();
}
