// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// What this app registers in Consul, for logs, diagnostics endpoints and tests. Inject it anywhere after
/// <c>AddConsulDiscovery()</c>; its values are known once the server listens (they are <see langword="null"/> before).
/// </summary>
public interface IConsulRegistration
{
    /// <summary>Gets the instance id registered in Consul, e.g. <c>orders-10.0.0.5-5000</c>.</summary>
    string? ServiceId { get; }

    /// <summary>Gets the service name registered in Consul.</summary>
    string? ServiceName { get; }

    /// <summary>Gets the address other services reach this instance at, e.g. <c>http://10.0.0.5:5000/</c>.</summary>
    Uri? Endpoint { get; }

    /// <summary>Gets a value indicating whether the agent has this instance as far as the app last learnt.</summary>
    bool IsRegistered { get; }
}
