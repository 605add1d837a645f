// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// What the leader's member reconcile writes (agent/consul/leader.go): a member that joins or comes back alive gets
/// its node and a passing <c>serfHealth</c>; a failed member keeps its node, services and checks with
/// <c>serfHealth</c> critical (<c>Agent not live or unreachable</c>); a member that left or was reaped is
/// deregistered with everything on it. Each is one write at one new index, and a write that changes nothing
/// moves nothing. Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>Consul's <c>SerfCheckAliveOutput</c>.</summary>
    public const string SerfAliveOutput = "Agent alive and reachable";

    /// <summary>Consul's <c>SerfCheckFailedOutput</c>.</summary>
    public const string SerfFailedOutput = "Agent not live or unreachable";

    /// <summary>Registers a member's node with a passing <c>serfHealth</c> (handleAliveMember for a new node).</summary>
    /// <returns>The node as it is in the catalog, its create index set.</returns>
    public NodeInfo JoinNode(string name, string id, string address, string datacenter)
    {
        if (_nodes.TryGetValue(name, out var existing))
        {
            SetNodeAlive(name, alive: true);
            SetMemberStatus(existing.Node, MemberAlive);
            return existing.Node;
        }

        var index = NextIndex();
        var node = new CatalogNode(new NodeInfo(name, id, address, datacenter, index), BuiltInRecords.SerfHealth(index));
        SetMemberStatus(node.Node, MemberAlive);
        _nodes[name] = node;
        _nodesTableIndex = index;
        ChecksWritten(node, serviceName: null, index);
        Changes.Publish();
        return node.Node;
    }

    /// <summary>
    /// Sets a node's <c>serfHealth</c> passing or critical, as the leader does when its member turns alive or failed;
    /// every service on the node follows it in <c>/v1/health</c>. A node that is not in the catalog is skipped.
    /// </summary>
    /// <returns>Whether anything changed.</returns>
    public bool SetNodeAlive(string name, bool alive)
    {
        // External nodes (registered through /v1/catalog/register) have no agent and so no serfHealth.
        if (!_nodes.TryGetValue(name, out var node) || node.SerfHealth is not { } serf)
        {
            return false;
        }

        SetMemberStatus(name, alive ? MemberAlive : MemberFailed);
        var (status, output) = alive ? ("passing", SerfAliveOutput) : ("critical", SerfFailedOutput);
        if (serf.CatalogStatus == status && serf.CatalogOutput == output)
        {
            return false;
        }

        var index = NextIndex();
        serf.Status = serf.CatalogStatus = status;
        serf.Output = serf.CatalogOutput = output;
        serf.ModifyIndex = index;
        ChecksWritten(node, serviceName: null, index);
        Changes.Publish();
        return true;
    }

    /// <summary>Removes a node with all its services and checks (handleDeregisterMember: left, force-left or reaped).</summary>
    /// <returns>Whether the node was in the catalog.</returns>
    public bool DeregisterNode(string name)
    {
        if (IsServerNode(name) || !_nodes.Remove(name, out var node))
        {
            return false;
        }

        SetMemberStatus(name, MemberLeft);
        var index = NextIndex();
        foreach (var serviceName in node.Services.Values.Select(s => s.Name).Distinct(StringComparer.Ordinal).ToList())
        {
            InstanceRemoved(serviceName, index, node, excludingId: null);
        }

        _servicesTableIndex = node.Services.Count > 0 ? index : _servicesTableIndex;
        _checksTableIndex = index;
        _nodesTableIndex = index;
        Changes.Publish();
        return true;
    }

    /// <summary>The leader never deregisters itself.</summary>
    private bool IsServerNode(string name) => string.Equals(name, ServerNode.Node.Name, StringComparison.Ordinal);
}
