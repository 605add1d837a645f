// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Checks;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One agent's local state (agent/local/state.go): the node it runs as, the services and checks registered through
/// <c>/v1/agent/*</c> with their runners, and the sync of every change into the shared <see cref="StateStore"/>
/// catalog, done synchronously in the same write as Consul's <c>syncChanges</c> after a registration. Status
/// changes reach the catalog at once; output-only changes after <see cref="ConsulTestAgentOptions.CheckOutputSyncDelay"/>.
/// Everything runs under the store's lock, so the agent's view and the catalog change together.
/// </summary>
internal sealed partial class LocalAgentState : IDisposable
{
    private readonly Dictionary<string, ServiceRecord> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckRecord> _checks = new(StringComparer.Ordinal);
    private readonly StateStore _store;
    private readonly CheckRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly TimeSpan _outputSyncDelay;
    private readonly TimeSpan _deregisterMinimum;
    private readonly ILogger _logger;
    private bool _disposed;

    public LocalAgentState(
        NodeInfo node, StateStore store, CheckRuntime runtime, TimeProvider time, TimeSpan outputSyncDelay, TimeSpan deregisterMinimum, ILogger logger)
    {
        Node = node;
        _store = store;
        _runtime = runtime;
        _time = time;
        _outputSyncDelay = outputSyncDelay;
        _deregisterMinimum = deregisterMinimum;
        _logger = logger;
        lock (store.Sync)
        {
            store.Attach(this);
        }
    }

    /// <summary>Gets the node this agent runs as.</summary>
    public NodeInfo Node { get; }

    /// <summary>Gets the datacenter store the agent syncs into (alias checks read other nodes there).</summary>
    public StateStore Store => _store;

    /// <summary>Gets the lock the agent shares with its store.</summary>
    public Lock Sync => _store.Sync;

    /// <summary>Gets the services registered on this agent, by ID.</summary>
    public IReadOnlyDictionary<string, ServiceRecord> Services => _services;

    /// <summary>Gets the checks registered on this agent, by ID (<c>serfHealth</c> lives in the catalog only).</summary>
    public IReadOnlyDictionary<string, CheckRecord> Checks => _checks;

    /// <summary>Gets the user events this agent received (its last 256).</summary>
    public UserEventLog Events { get; } = new();

    /// <summary>Registers or replaces a service (§1). The definition has been validated.</summary>
    public void RegisterService(ServiceDefinition definition, bool replaceExistingChecks)
    {
        var toStart = new List<CheckRecord>();
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            var id = definition.Id.Length > 0 ? definition.Id : definition.Name;
            var isNew = !_services.ContainsKey(id);
            var service = RegistrationRecords.Service(id, definition);
            List<CheckDefinition> definitions = definition.Check is { IsEmpty: false } single ? [single] : [];
            definitions.AddRange(definition.Checks);
            var listed = new List<CheckRecord>();
            for (var i = 0; i < definitions.Count; i++)
            {
                var checkId = RegistrationRecords.CheckId(definitions[i], id, i, definitions.Count);
                _checks.TryGetValue(checkId, out var old);
                listed.Add(NewCheck(checkId, definitions[i], service, old));
                if (old is not null)
                {
                    StopRunner(old, toStop);
                }
            }

            var removed = replaceExistingChecks
                ? _checks.Values.Where(c => c.ServiceId == id && !listed.Any(l => l.CheckId == c.CheckId)
                    && !c.CheckId.StartsWith(RegistrationRecords.ServiceMaintenancePrefix, StringComparison.Ordinal)).ToList()
                : [];
            var index = _store.RegisterService(Node.Name, service, listed, removed);
            _services[id] = service;
            foreach (var record in listed)
            {
                _checks[record.CheckId] = record;
                toStart.Add(record);
            }

            foreach (var check in removed)
            {
                StopRunner(check, toStop);
                _checks.Remove(check.CheckId);
            }

            if (index != 0 && isNew)
            {
                Log.ServiceRegistered(_logger, id, service.Name, index);
            }
        }

        Finish(toStart, toStop);
        if (definition.SidecarService is not null)
        {
            ServiceDefinition sidecar;
            lock (Sync)
            {
                sidecar = SidecarDefinitions.Build(definition, definition.Id.Length > 0 ? definition.Id : definition.Name, _services);
            }

            RegisterService(sidecar, replaceExistingChecks);
        }
    }

    /// <summary>Removes a service and all its checks (§2). Returns false for an unknown ID.</summary>
    public bool DeregisterService(string id) => DeregisterService(id, reaped: false);

    /// <summary>Removes a service and its checks, as a deregistration or the reaper does. Returns false for an unknown ID.</summary>
    public bool DeregisterService(string id, bool reaped)
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_services.Remove(id))
            {
                return false;
            }

            foreach (var check in _checks.Values.Where(c => c.ServiceId == id).ToList())
            {
                StopRunner(check, toStop);
                _checks.Remove(check.CheckId);
            }

            var index = _store.DeregisterService(Node.Name, id);
            if (!reaped)
            {
                Log.ServiceDeregistered(_logger, id, index);
            }
        }

        Finish([], toStop);
        bool hasSidecar;
        lock (Sync)
        {
            hasSidecar = _services.TryGetValue(id + SidecarDefinitions.Suffix, out var sidecar) && sidecar.LocallyRegisteredAsSidecar;
        }

        if (hasSidecar)
        {
            DeregisterService(id + SidecarDefinitions.Suffix, reaped);
        }

        return true;
    }

    /// <summary>Adds or removes the <c>_service_maintenance:</c> check (§3). Returns false for an unknown service.</summary>
    public bool SetMaintenance(string serviceId, bool enable, string reason)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_services.TryGetValue(serviceId, out var service))
            {
                return false;
            }

            if (SetMaintenanceCheck(RegistrationRecords.ServiceMaintenancePrefix + serviceId, enable, () => RegistrationRecords.ServiceMaintenance(service, reason)))
            {
                Log.MaintenanceChanged(_logger, serviceId, enable);
            }
        }

        _store.Changes.Publish();
        return true;
    }

    /// <summary>Adds or removes the node's <c>_node_maintenance</c> check, which every service on the node inherits.</summary>
    public void SetNodeMaintenance(bool enable, string reason)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            SetMaintenanceCheck(RegistrationRecords.NodeMaintenanceId, enable, () => RegistrationRecords.NodeMaintenance(reason));
        }

        _store.Changes.Publish();
    }

    /// <summary>Registers a standalone check (<c>PUT /v1/agent/check/register</c>), for a service or for the node.</summary>
    public void RegisterCheck(CheckDefinition definition)
    {
        var toStop = new List<ICheckRunner>();
        CheckRecord record;
        lock (Sync)
        {
            ThrowIfDisposed();
            var service = definition.ServiceId.Length > 0 ? _services[definition.ServiceId] : null;
            var checkId = definition.CheckId.Length > 0 ? definition.CheckId : definition.Name;
            _checks.TryGetValue(checkId, out var old);
            record = NewCheck(checkId, definition, service, old);
            if (old is not null)
            {
                StopRunner(old, toStop);
            }

            _store.EnsureCheck(Node.Name, record);
            _checks[checkId] = record;
        }

        Finish([record], toStop);
    }

    /// <summary>Removes one check. Returns false for an unknown ID.</summary>
    public bool DeregisterCheck(string checkId)
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_checks.Remove(checkId, out var check))
            {
                return false;
            }

            StopRunner(check, toStop);
            _store.RemoveCheck(Node.Name, check);
        }

        Finish([], toStop);
        return true;
    }

    /// <summary>The service checks that have been critical longer than <paramref name="floor"/> or their own DCSA, whichever is longer (§10).</summary>
    public List<(string ServiceId, string CheckId)> CriticalTooLong(DateTimeOffset now, TimeSpan floor)
    {
        lock (Sync)
        {
            return _disposed || _suspended ? [] : [.. _checks.Values
                .Where(c => c.ServiceId.Length > 0 && c.DeregisterCriticalServiceAfter.IsPositive && c.CriticalSince is { } since
                    && now - since > (c.DeregisterCriticalServiceAfter.ToTimeSpan() > floor ? c.DeregisterCriticalServiceAfter.ToTimeSpan() : floor))
                .Select(c => (c.ServiceId, c.CheckId))];
        }
    }

    public void Dispose()
    {
        if (TakeAllRunners(dispose: true) is { } toStop)
        {
            lock (Sync)
            {
                _store.Detach(this);
            }

            Finish([], toStop);
        }
    }

    private static void StopRunner(CheckRecord check, List<ICheckRunner> toStop)
    {
        if (check.Runner is { } runner)
        {
            toStop.Add(runner);
            check.Runner = null;
        }

        check.DeferredSync?.Dispose();
        check.DeferredSync = null;
    }

    private CheckRecord NewCheck(string checkId, CheckDefinition d, ServiceRecord? service, CheckRecord? old)
    {
        // Consul's addCheck warns of both floors it applies (the reaper applies the deregistration one, §10).
        if (RegistrationRecords.IsBelowMinInterval(d.Interval))
        {
            Log.IntervalClamped(_logger, checkId, GoDuration.Format(RegistrationRecords.MinInterval));
        }

        if (d.DeregisterCriticalServiceAfter.IsPositive && d.DeregisterCriticalServiceAfter < GoDuration.FromTimeSpan(_deregisterMinimum))
        {
            Log.DeregisterAfterRaised(_logger, checkId, GoDuration.Format(_deregisterMinimum));
        }

        return RegistrationRecords.Check(checkId, d, service, old);
    }

    /// <summary>Adds a maintenance check that is not there yet, or removes one that is. Returns whether anything changed.</summary>
    private bool SetMaintenanceCheck(string checkId, bool enable, Func<CheckRecord> create)
    {
        if (enable == _checks.ContainsKey(checkId))
        {
            return false;
        }

        if (enable)
        {
            var check = create();
            _store.EnsureCheck(Node.Name, check);
            _checks[checkId] = check;
        }
        else
        {
            _checks.Remove(checkId, out var check);
            _store.RemoveCheck(Node.Name, check!);
        }

        return true;
    }

    private bool IsCurrent(CheckRecord check) =>
        !_disposed && !_suspended && _checks.TryGetValue(check.CheckId, out var current) && ReferenceEquals(current, check);

    /// <summary>Starts and stops runners outside the lock (a probe may complete synchronously), then wakes waiters.</summary>
    private void Finish(List<CheckRecord> toStart, List<ICheckRunner> toStop)
    {
        foreach (var runner in toStop)
        {
            runner.Dispose();
        }

        foreach (var check in toStart)
        {
            var runner = _runtime.Create(check, this);
            lock (Sync)
            {
                if (!IsCurrent(check))
                {
                    runner?.Dispose();
                    continue;
                }

                check.Runner = runner;
            }

            runner?.Start();
        }

        _store.Changes.Publish();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
