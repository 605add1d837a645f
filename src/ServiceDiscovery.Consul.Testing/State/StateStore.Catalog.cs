// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Catalog writes (state/catalog.go): each is one transaction at one new index, and a write identical to what
/// the catalog holds moves nothing (<c>IsSame</c>). Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>
    /// Writes a service registration: the instance, its <paramref name="listed"/> checks, and the removal of
    /// <paramref name="removed"/>; checks kept from an earlier registration follow the service's new tags.
    /// </summary>
    /// <returns>The write's index, or 0 when nothing changed.</returns>
    public ulong RegisterService(string nodeName, ServiceRecord service, IReadOnlyList<CheckRecord> listed, IReadOnlyCollection<CheckRecord> removed)
    {
        var node = _nodes[nodeName];
        node.Services.TryGetValue(service.Id, out var existing);
        var serviceChanged = existing is null || !existing.IsSame(service);
        var renamed = existing is not null && existing.Name != service.Name;
        var oldChecks = listed.Select(c => node.Checks.GetValueOrDefault(c.CheckId)).ToList();
        var retagged = node.Checks.Values
            .Where(c => c.ServiceId == service.Id && !removed.Contains(c) && !listed.Any(l => l.CheckId == c.CheckId)
                && !c.ServiceTags.SequenceEqual(service.Tags))
            .ToList();
        var checksChanged = removed.Count > 0 || retagged.Count > 0
            || listed.Where((c, i) => oldChecks[i] is not { } old || !old.IsSameInCatalog(c)).Any();
        var index = serviceChanged || checksChanged || renamed ? NextIndex() : 0;

        service.CreateIndex = existing?.CreateIndex ?? index;
        service.ModifyIndex = serviceChanged ? index : existing!.ModifyIndex;
        if (renamed)
        {
            InstanceRemoved(existing!.Name, index, node, excludingId: service.Id);
        }

        node.Services[service.Id] = service;
        for (var i = 0; i < listed.Count; i++)
        {
            var (record, old) = (listed[i], oldChecks[i]);
            record.CreateIndex = old?.CreateIndex ?? index;
            record.ModifyIndex = old is not null && old.IsSameInCatalog(record) ? old.ModifyIndex : index;
            node.Checks[record.CheckId] = record;
        }

        foreach (var check in removed)
        {
            node.Checks.Remove(check.CheckId);
        }

        foreach (var check in retagged)
        {
            check.ServiceTags = service.Tags;
            check.ModifyIndex = index;
        }

        if (index != 0)
        {
            ServiceWritten(service.Name, index, serviceChanged, checksChanged);
            InvalidateSessionsForChecks(node, index);
        }

        return index;
    }

    /// <summary>Removes a service instance the node has, and its checks.</summary>
    /// <returns>The write's index.</returns>
    public ulong DeregisterService(string nodeName, string serviceId)
    {
        var node = _nodes[nodeName];
        node.Services.Remove(serviceId, out var service);
        var index = NextIndex();
        var hadChecks = false;
        foreach (var check in node.Checks.Values.Where(c => c.ServiceId == serviceId).ToList())
        {
            node.Checks.Remove(check.CheckId);
            hadChecks = true;
        }

        InstanceRemoved(service!.Name, index, node, excludingId: null);
        InvalidateSessionsForChecks(node, index);
        _servicesTableIndex = index;
        _checksTableIndex = hadChecks ? index : _checksTableIndex;
        return index;
    }

    /// <summary>Adds or replaces one check; an identical one keeps its indexes and moves nothing.</summary>
    public void EnsureCheck(string nodeName, CheckRecord record)
    {
        var node = _nodes[nodeName];
        node.Checks.TryGetValue(record.CheckId, out var old);
        var changed = old is null || !old.IsSameInCatalog(record);
        var index = changed ? NextIndex() : old!.ModifyIndex;
        record.CreateIndex = old?.CreateIndex ?? index;
        record.ModifyIndex = index;
        node.Checks[record.CheckId] = record;
        if (changed)
        {
            ChecksWritten(node, ServiceNameOf(record), index);
        }
    }

    /// <summary>Removes one check.</summary>
    public void RemoveCheck(string nodeName, CheckRecord check)
    {
        var node = _nodes[nodeName];
        node.Checks.Remove(check.CheckId);
        ChecksWritten(node, ServiceNameOf(check), NextIndex());
    }

    /// <summary>Copies the agent's status and output of <paramref name="check"/> into the catalog, if they differ, and wakes waiters.</summary>
    public void SyncCheckStatus(string nodeName, CheckRecord check)
    {
        if (check.CatalogStatus == check.Status && check.CatalogOutput == check.Output)
        {
            return;
        }

        var index = NextIndex();
        check.CatalogStatus = check.Status;
        check.CatalogOutput = check.Output;
        check.ModifyIndex = index;
        ChecksWritten(_nodes[nodeName], ServiceNameOf(check), index);
        Changes.Publish();
    }

    private static string? ServiceNameOf(CheckRecord check) => check.ServiceId.Length > 0 ? check.ServiceName : null;
}
