// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>A Consul check status, plus the client-side aggregate `maintenance` (docs/consul-http-api.md §6 AggregatedStatus).</summary>
public enum ConsulCheckStatus
{
    /// <summary>`passing`.</summary>
    Passing,

    /// <summary>`warning`.</summary>
    Warning,

    /// <summary>`critical`.</summary>
    Critical,

    /// <summary>A `_service_maintenance:` or `_node_maintenance` check is present (aggregate only).</summary>
    Maintenance,
}
