// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One node of the catalog: its identity, the service instances and checks its agent synced, and the built-in
/// <c>serfHealth</c> check. Guarded by the <see cref="StateStore"/> lock.
/// </summary>
internal sealed class CatalogNode
{
    public CatalogNode(NodeInfo node, CheckRecord serfHealth)
    {
        Node = node;
        SerfHealth = serfHealth;
        Checks[serfHealth.CheckId] = serfHealth;
    }

    public NodeInfo Node { get; }

    /// <summary>Gets the node's <c>serfHealth</c> check, passing while its agent is alive.</summary>
    public CheckRecord SerfHealth { get; }

    /// <summary>Gets the node's service instances by ID.</summary>
    public Dictionary<string, ServiceRecord> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the node's checks by ID: node checks and service checks, <c>serfHealth</c> included.</summary>
    public Dictionary<string, CheckRecord> Checks { get; } = new(StringComparer.Ordinal);
}
