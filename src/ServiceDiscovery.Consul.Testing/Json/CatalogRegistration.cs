// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>The body of <c>PUT /v1/catalog/register</c> (Consul's <c>structs.RegisterRequest</c>).</summary>
internal sealed class CatalogRegistration
{
    public string Datacenter { get; init; } = string.Empty;

    public string Id { get; init; } = string.Empty;

    public string Node { get; init; } = string.Empty;

    public string Address { get; init; } = string.Empty;

    /// <summary>Gets the node's tagged addresses; null when absent (Consul then stores and shows <c>null</c>).</summary>
    public Dictionary<string, string>? TaggedAddresses { get; init; }

    /// <summary>Gets the node's meta; null when absent.</summary>
    public Dictionary<string, string>? NodeMeta { get; init; }

    /// <summary>Gets the service to write (<c>structs.NodeService</c>), or null.</summary>
    public ServiceDefinition? Service { get; init; }

    /// <summary>Gets <c>Check</c> followed by <c>Checks</c>, as Consul flattens them.</summary>
    public List<CatalogCheck> Checks { get; init; } = [];

    public bool SkipNodeUpdate { get; init; }
}

/// <summary>One <c>structs.HealthCheck</c> of a catalog registration.</summary>
internal sealed class CatalogCheck
{
    public string Node { get; set; } = string.Empty;

    public string CheckId { get; set; } = string.Empty;

    public string Name { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string Notes { get; init; } = string.Empty;

    public string Output { get; init; } = string.Empty;

    public string ServiceId { get; init; } = string.Empty;

    public string Type { get; set; } = string.Empty;

    /// <summary>Gets <c>Interval</c> as sent: a plain string in <c>structs.HealthCheck</c>, never parsed.</summary>
    public string Interval { get; init; } = string.Empty;

    /// <summary>Gets <c>Timeout</c> as sent, likewise.</summary>
    public string Timeout { get; init; } = string.Empty;

    /// <summary>Gets the check's <c>Definition</c>, which gives its type when <c>Type</c> is empty.</summary>
    public CheckDefinition Definition { get; init; } = new();
}

/// <summary>The body of <c>PUT /v1/catalog/deregister</c> (<c>structs.DeregisterRequest</c>).</summary>
internal sealed record CatalogDeregistration(string Node, string ServiceId, string CheckId, string Datacenter = "");
