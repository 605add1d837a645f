// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <content>The registration part: what this app registers as (<c>Consul:Service</c>), how Consul checks it
/// (<c>Consul:HealthCheck</c>) and how registration behaves over the app's life (<c>Consul:Registration</c>).</content>
public sealed partial class ConsulOptions
{
    /// <summary>Gets what this app registers as in Consul (<c>Consul:Service</c>).</summary>
    public ConsulServiceOptions Service { get; } = new();

    /// <summary>Gets how Consul checks this app's health (<c>Consul:HealthCheck</c>).</summary>
    public ConsulHealthCheckOptions HealthCheck { get; } = new();

    /// <summary>Gets how registration behaves while the app starts, runs and stops (<c>Consul:Registration</c>).</summary>
    public ConsulRegistrationOptions Registration { get; } = new();
}
