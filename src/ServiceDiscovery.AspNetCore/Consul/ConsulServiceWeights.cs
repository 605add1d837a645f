// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>DNS SRV weights of an instance, by its health (<c>Consul:Service:Weights</c>).</summary>
public sealed class ConsulServiceWeights
{
    /// <summary>Gets or sets the weight while the instance is passing; must be greater than zero.</summary>
    /// <value>The default is 1.</value>
    public int Passing { get; set; } = 1;

    /// <summary>Gets or sets the weight while the instance is warning; zero or more.</summary>
    /// <value>The default is 1.</value>
    public int Warning { get; set; } = 1;
}
