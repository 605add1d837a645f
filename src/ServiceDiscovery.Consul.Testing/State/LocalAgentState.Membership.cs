// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Checks;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The agent of a cluster member going away and coming back: a stopped agent runs no check and reaps nothing, and
/// its records stay as they were (a restart with a data directory reloads them); when it is back, anti-entropy makes
/// the catalog's view of its node match its local state again (agent/local/state.go <c>updateSyncState</c>: catalog
/// services and checks the agent does not have are removed, its own are written where they differ).
/// </summary>
internal sealed partial class LocalAgentState
{
    private bool _suspended;

    /// <summary>Stops every runner and timer; records and catalog entries stay as they are.</summary>
    public void Suspend()
    {
        foreach (var runner in TakeAllRunners(dispose: false) ?? [])
        {
            runner.Dispose();
        }
    }

    /// <summary>Syncs the whole local state into the catalog and starts every runner again.</summary>
    public void Resume()
    {
        List<CheckRecord> toStart;
        lock (Sync)
        {
            ThrowIfDisposed();
            _suspended = false;
            SyncAllLocked();
            toStart = [.. _checks.Values];
        }

        Finish(toStart, []);
    }

    /// <summary>A full anti-entropy sync of this agent's node, as a fresh agent does on start.</summary>
    public void SyncAll()
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            SyncAllLocked();
        }

        _store.Changes.Publish();
    }

    /// <summary>
    /// Anti-entropy after a snapshot restore replaced the catalog: a running agent writes its own services and checks
    /// back (new indexes where the archive's rows differ) and removes what its node has that it does not own. A
    /// stopped agent syncs when it resumes. The caller holds the store's lock and publishes the change.
    /// </summary>
    public void SyncAfterRestore()
    {
        if (!_disposed && !_suspended)
        {
            SyncAllLocked();
        }
    }

    /// <summary>Marks the agent disposed or suspended and takes every runner off its check; null once disposed.</summary>
    private List<ICheckRunner>? TakeAllRunners(bool dispose)
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            if (_disposed)
            {
                return null;
            }

            _disposed = dispose;
            _suspended = !dispose;
            foreach (var check in _checks.Values)
            {
                StopRunner(check, toStop);
            }
        }

        return toStop;
    }

    private void SyncAllLocked()
    {
        if (!_store.Nodes.TryGetValue(Node.Name, out var node))
        {
            return;
        }

        foreach (var id in node.Services.Keys.Where(id => !_services.ContainsKey(id)).ToList())
        {
            _store.DeregisterService(Node.Name, id);
        }

        foreach (var check in node.Checks.Values.Where(c => c != node.SerfHealth && !_checks.ContainsKey(c.CheckId)).ToList())
        {
            _store.RemoveCheck(Node.Name, check);
        }

        foreach (var service in _services.Values)
        {
            _store.RegisterService(Node.Name, service, [.. _checks.Values.Where(c => c.ServiceId == service.Id)], []);
        }

        foreach (var check in _checks.Values.Where(c => c.ServiceId.Length == 0))
        {
            _store.EnsureCheck(Node.Name, check);
        }

        // Anti-entropy pushes the agent's current status and output, deferred output changes included.
        foreach (var check in _checks.Values)
        {
            _store.SyncCheckStatus(Node.Name, check);
        }
    }
}
