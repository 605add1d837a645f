// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>The body of <c>PUT /v1/agent/service/register</c> (Consul's <c>structs.ServiceDefinition</c>).</summary>
internal sealed class ServiceDefinition
{
    public string Kind { get; init; } = string.Empty;

    public string Id { get; init; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public List<string> Tags { get; init; } = [];

    public string Address { get; init; } = string.Empty;

    public Dictionary<string, (string Address, int Port)> TaggedAddresses { get; init; } = [];

    public Dictionary<string, string> Meta { get; init; } = [];

    public int Port { get; init; }

    public string SocketPath { get; init; } = string.Empty;

    public (int Passing, int Warning)? Weights { get; init; }

    public bool EnableTagOverride { get; init; }

    /// <summary>Gets the <c>Locality</c>, or null when none was sent.</summary>
    public ServiceLocality? Locality { get; init; }

    public CheckDefinition? Check { get; init; }

    public List<CheckDefinition> Checks { get; init; } = [];

    /// <summary>Gets the <c>Proxy</c> block, or null when none was sent.</summary>
    public ProxyConfig? Proxy { get; init; }

    /// <summary>Gets a value indicating whether <c>Connect.Native</c> was set.</summary>
    public bool ConnectNative { get; init; }

    /// <summary>Gets <c>Connect.SidecarService</c>, or null when none was sent.</summary>
    public ServiceDefinition? SidecarService { get; init; }

    /// <summary>Gets a value indicating whether the agent built this from a parent's <c>Connect.SidecarService</c>.</summary>
    public bool LocallyRegisteredAsSidecar { get; init; }
}
