// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>The `/v1/health/service`-specific parameters (docs/consul-http-api.md §6).</summary>
internal sealed record HealthServiceQuery
{
    /// <summary>`passing=1`: drop instances with any check (node checks included) not exactly passing.</summary>
    public bool PassingOnly { get; init; }

    /// <summary>Repeated `tag` (AND, case-insensitive on the server).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>`near` (a node name or `_agent`).</summary>
    public string? Near { get; init; }
}
