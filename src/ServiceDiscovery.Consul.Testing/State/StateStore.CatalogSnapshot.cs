// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The catalog in a snapshot, and how a restore puts it back as Consul does: the FSM restore replaces the nodes,
/// services, checks, coordinates and table indexes with the archive's, rows keeping their indexes; then the leader's
/// member reconcile (leader.go <c>reconcile</c>) makes each serf member's node and <c>serfHealth</c> match the pool,
/// reaping agent nodes that are no longer members; then each running agent's anti-entropy
/// (<see cref="LocalAgentState.SyncAfterRestore"/>) writes back the services and checks it owns and removes the ones it
/// does not. Catalog-registered nodes come back only from the archive. Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    private readonly List<LocalAgentState> _agents = [];
    private ulong _generation;

    /// <summary>Gets how many restores replaced the state; a blocking query that sees it change returns (Consul's abandoned state store).</summary>
    public ulong Generation => _generation;

    /// <summary>Gets the agents whose local state syncs into this store.</summary>
    public IReadOnlyList<LocalAgentState> Agents => _agents;

    /// <summary>Adds an agent whose anti-entropy runs after a restore.</summary>
    public void Attach(LocalAgentState agent) => _agents.Add(agent);

    /// <summary>Removes a disposed agent.</summary>
    public void Detach(LocalAgentState agent) => _agents.Remove(agent);

    /// <summary>Marks the state replaced: waiting blocking queries return what they had (the caller publishes the change).</summary>
    public void Abandon() => _generation++;

    /// <summary>The catalog's rows and indexes, as a snapshot writes them (the server's <c>consul</c> service is the leader's own, not a row).</summary>
    public CatalogTables CatalogContent() => new(
        _nodesTableIndex,
        _servicesTableIndex,
        _checksTableIndex,
        _extinctionIndex,
        _nodeExtinctionIndex,
        new Dictionary<string, ulong>(_serviceIndexes, StringComparer.Ordinal),
        [.. NodesByName.Select(n => new CatalogNodeRows(n.Node, n.Touched, [.. n.Services.Values], [.. n.Checks.Values]))],
        _coordinatesIndex,
        [.. _coordinates.Select(p => (p.Key.Node, p.Key.Segment, p.Value))]);

    /// <summary>Replaces the catalog with <paramref name="tables"/>, then reconciles the serf members' nodes. The caller publishes the change.</summary>
    public void RestoreCatalog(CatalogTables tables)
    {
        ThrowIfDisposed();
        var live = _nodes.Values.Where(n => n.SerfHealth is not null).ToDictionary(n => n.Node.Name, StringComparer.Ordinal);
        var identities = live.ToDictionary(p => p.Key, p => p.Value.Node, StringComparer.Ordinal);
        var reaped = new List<CatalogNode>();
        _nodes.Clear();
        foreach (var saved in tables.Nodes)
        {
            var savedSerf = saved.Checks.FirstOrDefault(c => c.CheckId == BuiltInRecords.SerfHealthId);
            CatalogNode node;
            if (live.TryGetValue(saved.Node.Name, out var agentNode))
            {
                // The live object stays (the server node and serfHealth are referenced), with the archive's rows.
                node = agentNode;
                node.Node = saved.Node;
                node.Services.Clear();
                node.Checks.Clear();
                if (savedSerf is not null)
                {
                    var serf = node.SerfHealth!;
                    serf.Status = serf.CatalogStatus = savedSerf.CatalogStatus;
                    serf.Output = serf.CatalogOutput = savedSerf.CatalogOutput;
                    serf.CreateIndex = savedSerf.CreateIndex;
                    serf.ModifyIndex = savedSerf.ModifyIndex;
                    node.Checks[serf.CheckId] = serf;
                }
            }
            else
            {
                node = new CatalogNode(saved.Node, serfHealth: null);
                if (savedSerf is not null)
                {
                    // An agent's node whose agent is not a member any more: the leader reaps it below.
                    reaped.Add(node);
                }
            }

            node.Touched = saved.Touched;
            foreach (var service in saved.Services)
            {
                node.Services[service.Id] = service;
            }

            foreach (var check in saved.Checks.Where(c => c != savedSerf))
            {
                node.Checks[check.CheckId] = check;
            }

            _nodes[saved.Node.Name] = node;
        }

        _nodesTableIndex = tables.NodesTableIndex;
        _servicesTableIndex = tables.ServicesTableIndex;
        _checksTableIndex = tables.ChecksTableIndex;
        _extinctionIndex = tables.ExtinctionIndex;
        _nodeExtinctionIndex = tables.NodeExtinctionIndex;
        _serviceIndexes.Clear();
        foreach (var (name, index) in tables.ServiceIndexes)
        {
            _serviceIndexes[name] = index;
        }

        _coordinates.Clear();
        foreach (var (node, segment, coordinate) in tables.Coordinates)
        {
            _coordinates[(node, segment)] = coordinate;
        }

        _coordinatesIndex = tables.CoordinatesIndex;
        ReconcileMembers(live, identities);
        foreach (var node in reaped)
        {
            RemoveNode(node.Node.Name);
        }
    }

    /// <summary>The leader's reconcile after a restore: every live member's node is there with its own identity and a serfHealth that matches its status.</summary>
    private void ReconcileMembers(Dictionary<string, CatalogNode> live, Dictionary<string, NodeInfo> identities)
    {
        foreach (var (name, agentNode) in live)
        {
            var member = Members.FirstOrDefault(m => m.Node.Name == name);
            var identity = identities[name];
            if (!_nodes.TryGetValue(name, out var node))
            {
                // Not in the archive: registered again as a joining member is.
                var index = NextIndex();
                node = agentNode;
                node.Node = identity with { CreateIndex = index, ModifyIndex = index };
                node.Services.Clear();
                node.Checks.Clear();
                var serf = node.SerfHealth!;
                serf.CreateIndex = serf.ModifyIndex = index;
                node.Checks[serf.CheckId] = serf;
                node.Touched = index;
                _nodes[name] = node;
                _nodesTableIndex = index;
                ChecksWritten(node, serviceName: null, index);
            }
            else if (node.Node.IsExternal || node.Node.Datacenter != identity.Datacenter || !SameNode(node.Node, identity))
            {
                var index = NextIndex();
                node.Node = identity with { CreateIndex = node.Node.CreateIndex, ModifyIndex = index };
                node.Touched = index;
                _nodesTableIndex = index;
            }

            if (!node.Checks.ContainsKey(BuiltInRecords.SerfHealthId))
            {
                var index = NextIndex();
                var serf = node.SerfHealth!;
                serf.CreateIndex = serf.ModifyIndex = index;
                node.Checks[serf.CheckId] = serf;
                ChecksWritten(node, serviceName: null, index);
            }

            SetNodeAlive(name, member is null || member.Status != MemberFailed);
        }
    }
}
