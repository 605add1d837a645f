// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One node of the catalog: its identity, the service instances and checks its agent synced, and the built-in
/// <c>serfHealth</c> check. Guarded by the <see cref="StateStore"/> lock.
/// </summary>
internal sealed class CatalogNode
{
    public CatalogNode(NodeInfo node, CheckRecord? serfHealth)
    {
        Node = node;
        SerfHealth = serfHealth;
        if (serfHealth is not null)
        {
            Checks[serfHealth.CheckId] = serfHealth;
        }
    }

    /// <summary>Gets or sets the node's identity; a catalog registration may change an external node's address and meta.</summary>
    public NodeInfo Node { get; set; }

    /// <summary>Gets the node's <c>serfHealth</c> check, passing while its agent is alive; null for an external node (no agent).</summary>
    public CheckRecord? SerfHealth { get; }

    /// <summary>Gets or sets the index of the last write that touched the node (removals included), for its per-node index.</summary>
    public ulong Touched { get; set; }

    /// <summary>Gets the node's service instances by ID.</summary>
    public Dictionary<string, ServiceRecord> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the node's checks by ID: node checks and service checks, <c>serfHealth</c> included.</summary>
    public Dictionary<string, CheckRecord> Checks { get; } = new(StringComparer.Ordinal);
}
