// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Catalog writes made through <c>/v1/catalog/register</c> and <c>/v1/catalog/deregister</c> (state/catalog.go
/// <c>ensureRegistrationTxn</c>, <c>deleteNodeTxn</c>): one transaction at one index, nothing moved when the
/// write is identical. These records belong to no agent, so no anti-entropy touches them. Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    private ulong _nodesTableIndex = BootIndex;
    private ulong _nodeExtinctionIndex;

    /// <summary>Gets the index of <c>/v1/catalog/nodes</c>: the nodes table, which service writes move too.</summary>
    public ulong NodesTableIndex => Math.Max(_nodesTableIndex, _servicesTableIndex);

    /// <summary>Gets the index of the checks table (<c>/v1/health/state</c>, <c>/v1/health/node</c>, <c>/v1/health/checks</c>).</summary>
    public ulong ChecksTableIndex => _checksTableIndex;

    /// <summary>The index of <c>/v1/catalog/node/:node</c> (catalog.go <c>catalogNodeMaxIndex</c>), or the node extinction index for an unknown node.</summary>
    public ulong NodeIndex(string name)
    {
        if (!_nodes.TryGetValue(name, out var node))
        {
            return _nodeExtinctionIndex;
        }

        var index = Math.Max(node.Node.LastIndex, node.Touched);
        foreach (var s in ServicesOn(node))
        {
            index = Math.Max(index, s.ModifyIndex);
        }

        foreach (var c in node.Checks.Values)
        {
            index = Math.Max(index, c.ModifyIndex);
        }

        return index;
    }

    /// <summary>
    /// Writes a registration: the node (created even with <paramref name="skipNodeUpdate"/> when it is new), then
    /// the service, then the checks. Checks get their service's name and tags.
    /// </summary>
    /// <returns>The write's index, or 0 when nothing changed.</returns>
    public ulong WriteRegistration(NodeInfo node, bool skipNodeUpdate, ServiceRecord? service, IReadOnlyList<CheckRecord> checks)
    {
        _nodes.TryGetValue(node.Name, out var existing);
        var nodeChanged = existing is null || (!skipNodeUpdate && !SameNode(existing.Node, node));
        var oldService = service is not null && existing is not null ? existing.Services.GetValueOrDefault(service.Id) : null;
        var serviceChanged = service is not null && (oldService is null || !oldService.IsSame(service));
        foreach (var check in checks.Where(c => c.ServiceId.Length > 0))
        {
            var owner = check.ServiceId == service?.Id ? service : existing?.Services.GetValueOrDefault(check.ServiceId);
            check.ServiceTags = owner?.Tags ?? [];
        }

        var oldChecks = checks.Select(c => existing?.Checks.GetValueOrDefault(c.CheckId)).ToList();
        var checksChanged = checks.Where((c, i) => oldChecks[i] is not { } old || !old.IsSameInCatalog(c)).Any();
        if (!nodeChanged && !serviceChanged && !checksChanged)
        {
            return 0;
        }

        var index = NextIndex();
        if (existing is null)
        {
            existing = new CatalogNode(node with { CreateIndex = index, ModifyIndex = index }, serfHealth: null);
            _nodes[node.Name] = existing;
            _nodesTableIndex = index;
        }
        else if (nodeChanged)
        {
            existing.Node = node with { CreateIndex = existing.Node.CreateIndex, ModifyIndex = index };
            _nodesTableIndex = index;
            ChecksWritten(existing, serviceName: null, index);
        }

        existing.Touched = index;
        if (service is not null && serviceChanged)
        {
            service.CreateIndex = oldService?.CreateIndex ?? index;
            service.ModifyIndex = index;
            if (oldService is not null && oldService.Name != service.Name)
            {
                InstanceRemoved(oldService.Name, index, existing, excludingId: service.Id);
            }

            existing.Services[service.Id] = service;
            ServiceWritten(service.Name, index, servicesTable: true, checksTable: false);
        }

        for (var i = 0; i < checks.Count; i++)
        {
            var (record, old) = (checks[i], oldChecks[i]);
            if (old is not null && old.IsSameInCatalog(record))
            {
                continue;
            }

            record.CreateIndex = old?.CreateIndex ?? index;
            record.ModifyIndex = index;
            existing.Checks[record.CheckId] = record;
            ChecksWritten(existing, record.ServiceId.Length > 0 ? record.ServiceName : null, index);
        }

        Changes.Publish();
        return index;
    }

    /// <summary>
    /// Removes a whole node written through the catalog, with its services, checks, coordinates and sessions (their keys
    /// released or deleted per each session's behaviour), as Consul's <c>deleteNodeTxn</c> does.
    /// </summary>
    public void RemoveNode(string name)
    {
        if (!_nodes.Remove(name, out var node))
        {
            return;
        }

        var index = NextIndex();
        foreach (var service in node.Services.Values)
        {
            InstanceRemoved(service.Name, index, node, excludingId: null);
        }

        _nodesTableIndex = index;
        _servicesTableIndex = node.Services.Count > 0 ? index : _servicesTableIndex;
        _checksTableIndex = index;
        _nodeExtinctionIndex = index;
        RemoveCoordinates(name, index);
        InvalidateSessionsOfNode(name, index);
        Changes.Publish();
    }

    private static bool SameNode(NodeInfo a, NodeInfo b) =>
        a.Id == b.Id && a.Address == b.Address && SameMap(a.TaggedAddresses, b.TaggedAddresses) && SameMap(a.NodeMeta, b.NodeMeta);

    private static bool SameMap(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && v == p.Value);
}
