// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Checks;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The agent's whole state behind one lock: the local services and checks, the catalog copy the health and
/// catalog endpoints read, the KV store, and one Raft-like index that every catalog or KV write moves. Indexes
/// follow Consul's state store: a per-service index bumped only by a real change (§6), the "last extinction"
/// index for services with no instance left, and table indexes for the catalog lists.
/// </summary>
internal sealed partial class AgentStore : IDisposable
{
    /// <summary>Index a fresh dev agent's catalog has reached once its node, <c>serfHealth</c> and the <c>consul</c> service are in.</summary>
    internal const ulong BootIndex = 13;

    private readonly Dictionary<string, ServiceRecord> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CheckRecord> _checks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _serviceIndexes = new(StringComparer.Ordinal);
    private readonly ConsulTestAgentOptions _options;
    private readonly TimeProvider _time;
    private readonly CheckRuntime _runtime;
    private readonly ILogger _logger;
    private readonly ITimer _reaper;
    private ulong _index;
    private ulong _extinctionIndex;
    private ulong _servicesTableIndex;
    private ulong _checksTableIndex;
    private bool _disposed;
    private int _blockedQueries;

    public AgentStore(ConsulTestAgentOptions options, CheckRuntime runtime, ILogger logger)
    {
        _options = options;
        _time = options.TimeProvider;
        _runtime = runtime;
        _logger = logger;
        Node = new NodeInfo(options.NodeName, Guid.NewGuid().ToString(), "127.0.0.1", options.Datacenter, 10);
        ConsulService = new ServiceRecord
        {
            Id = "consul",
            Name = "consul",
            Port = 8300,
            Meta = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["non_voter"] = "false",
                ["raft_version"] = "3",
                ["read_replica"] = "false",
                ["serf_protocol_current"] = "2",
                ["serf_protocol_max"] = "5",
                ["serf_protocol_min"] = "1",
                ["version"] = ConsulTestAgent.ConsulVersion,
            },
            CreateIndex = 11,
            ModifyIndex = 11,
        };
        SerfHealth = new CheckRecord
        {
            CheckId = "serfHealth",
            Name = "Serf Health Status",
            Status = "passing",
            Output = "Agent alive and reachable",
            CatalogStatus = "passing",
            CatalogOutput = "Agent alive and reachable",
            CreateIndex = 12,
            ModifyIndex = 12,
        };
        _checks[SerfHealth.CheckId] = SerfHealth;
        _index = BootIndex;
        _servicesTableIndex = ConsulService.ModifyIndex;
        _checksTableIndex = SerfHealth.ModifyIndex;
        _kvTableIndex = 0;
        _reaper = _time.CreateTimer(_ => ReapCriticalServices(), null, options.ReapInterval, options.ReapInterval);
    }

    /// <summary>Gets the lock every read and write holds.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Gets the signal blocking queries wait on.</summary>
    public ChangeSignal Changes { get; } = new();

    public NodeInfo Node { get; }

    /// <summary>Gets how many blocking queries are waiting right now (tests synchronise on it).</summary>
    public int BlockedQueries => Volatile.Read(ref _blockedQueries);

    /// <summary>Gets the <c>consul</c> service every server agent has in its catalog.</summary>
    public ServiceRecord ConsulService { get; }

    public CheckRecord SerfHealth { get; }

    /// <summary>Gets the current Raft-like index.</summary>
    public ulong Index => _index;

    public ulong ServicesTableIndex => _servicesTableIndex;

    public IReadOnlyDictionary<string, ServiceRecord> Services => _services;

    public IReadOnlyDictionary<string, CheckRecord> Checks => _checks;

    public void EnterBlocking() => Interlocked.Increment(ref _blockedQueries);

    public void ExitBlocking() => Interlocked.Decrement(ref _blockedQueries);

    /// <summary>The index of <c>/v1/health/service/:name</c> or <c>/v1/catalog/service/:name</c> (catalog.go <c>maxIndexForService</c>).</summary>
    public ulong ServiceIndex(string name, bool checksTable)
    {
        var exists = name == "consul" || _services.Values.Any(s => s.Name == name);
        if (!exists && _extinctionIndex != 0)
        {
            return _extinctionIndex;
        }

        if (_serviceIndexes.TryGetValue(name, out var index))
        {
            return index;
        }

        return name == "consul" ? ConsulService.ModifyIndex : checksTable ? Math.Max(_checksTableIndex, _servicesTableIndex) : _servicesTableIndex;
    }

    /// <summary>Registers or replaces a service (§1). The definition has been validated.</summary>
    public void RegisterService(ServiceDefinition definition, bool replaceExistingChecks)
    {
        var toStart = new List<CheckRecord>();
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            var id = definition.Id.Length > 0 ? definition.Id : definition.Name;
            _services.TryGetValue(id, out var existing);
            var service = BuildService(id, definition);
            var serviceChanged = existing is null || !existing.IsSame(service);

            var definitions = new List<CheckDefinition>();
            if (definition.Check is { IsEmpty: false } single)
            {
                definitions.Add(single);
            }

            definitions.AddRange(definition.Checks);
            var listed = new List<CheckRecord>();
            var oldChecks = new List<CheckRecord?>();
            for (var i = 0; i < definitions.Count; i++)
            {
                var d = definitions[i];
                var checkId = d.CheckId.Length > 0 ? d.CheckId
                    : definitions.Count == 1 ? $"service:{id}" : $"service:{id}:{i + 1}";
                _checks.TryGetValue(checkId, out var old);
                var record = NewCheck(checkId, d, service, old);
                listed.Add(record);
                oldChecks.Add(old);
            }

            var removed = new List<CheckRecord>();
            foreach (var check in _checks.Values)
            {
                if (check.ServiceId == id && !listed.Any(l => l.CheckId == check.CheckId)
                    && (replaceExistingChecks && !check.CheckId.StartsWith(MaintenancePrefix, StringComparison.Ordinal)))
                {
                    removed.Add(check);
                }
            }

            // Checks kept from an earlier registration follow the service's new tags.
            var retagged = _checks.Values
                .Where(c => c.ServiceId == id && !removed.Contains(c) && !listed.Any(l => l.CheckId == c.CheckId)
                    && !c.ServiceTags.SequenceEqual(service.Tags))
                .ToList();

            var checksChanged = removed.Count > 0 || retagged.Count > 0
                || listed.Where((c, i) => oldChecks[i] is null || !SameInCatalog(oldChecks[i]!, c)).Any();
            ulong index = 0;
            if (serviceChanged || checksChanged || (existing is not null && existing.Name != service.Name))
            {
                index = ++_index;
            }

            service.CreateIndex = existing?.CreateIndex ?? index;
            service.ModifyIndex = serviceChanged ? index : existing!.ModifyIndex;
            if (existing is not null && existing.Name != service.Name)
            {
                RemoveInstanceIndex(existing.Name, index, excludingId: id);
            }

            _services[id] = service;
            for (var i = 0; i < listed.Count; i++)
            {
                var record = listed[i];
                var old = oldChecks[i];
                if (old is not null)
                {
                    StopRunner(old, toStop);
                }

                record.CreateIndex = old?.CreateIndex ?? index;
                record.ModifyIndex = old is not null && SameInCatalog(old, record) ? old.ModifyIndex : index;
                _checks[record.CheckId] = record;
                toStart.Add(record);
            }

            foreach (var check in removed)
            {
                StopRunner(check, toStop);
                _checks.Remove(check.CheckId);
            }

            foreach (var check in retagged)
            {
                check.ServiceTags = service.Tags;
                check.ModifyIndex = index;
            }

            if (index != 0)
            {
                _serviceIndexes[service.Name] = index;
                _servicesTableIndex = serviceChanged ? index : _servicesTableIndex;
                _checksTableIndex = checksChanged ? index : _checksTableIndex;
                if (existing is null)
                {
                    Log.ServiceRegistered(_logger, id, service.Name, index);
                }
            }
        }

        Finish(toStart, toStop);
    }

    /// <summary>Removes a service and all its checks (§2). Returns false for an unknown ID.</summary>
    public bool DeregisterService(string id) => DeregisterService(id, reaped: false);

    /// <summary>Adds or removes the <c>_service_maintenance:</c> check (§3). Returns false for an unknown service.</summary>
    public bool SetMaintenance(string serviceId, bool enable, string reason)
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_services.TryGetValue(serviceId, out var service))
            {
                return false;
            }

            var checkId = MaintenancePrefix + serviceId;
            if (enable)
            {
                if (_checks.ContainsKey(checkId))
                {
                    return true;
                }

                var index = ++_index;
                _checks[checkId] = new CheckRecord
                {
                    CheckId = checkId,
                    Name = "Service Maintenance Mode",
                    Notes = reason.Length > 0 ? reason
                        : "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
                    ServiceId = serviceId,
                    ServiceName = service.Name,
                    ServiceTags = service.Tags,
                    Status = "critical",
                    CatalogStatus = "critical",
                    CreateIndex = index,
                    ModifyIndex = index,
                };
                Touch(service.Name, index);
                Log.MaintenanceChanged(_logger, serviceId, true);
            }
            else if (_checks.Remove(checkId))
            {
                Touch(service.Name, ++_index);
                Log.MaintenanceChanged(_logger, serviceId, false);
            }
        }

        Finish([], toStop);
        return true;
    }

    /// <summary>Adds or removes the node's <c>_node_maintenance</c> check, which every service on the node inherits.</summary>
    public void SetNodeMaintenance(bool enable, string reason)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            const string checkId = "_node_maintenance";
            if (enable)
            {
                if (_checks.ContainsKey(checkId))
                {
                    return;
                }

                var index = ++_index;
                _checks[checkId] = new CheckRecord
                {
                    CheckId = checkId,
                    Name = "Node Maintenance Mode",
                    Notes = reason.Length > 0 ? reason
                        : "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.",
                    Status = "critical",
                    CatalogStatus = "critical",
                    CreateIndex = index,
                    ModifyIndex = index,
                };
                Touch(null, index);
            }
            else if (_checks.Remove(checkId))
            {
                Touch(null, ++_index);
            }
        }

        Changes.Publish();
    }

    /// <summary>Registers a standalone check (<c>PUT /v1/agent/check/register</c>), for a service or for the node.</summary>
    public void RegisterCheck(CheckDefinition definition)
    {
        var toStop = new List<ICheckRunner>();
        CheckRecord record;
        lock (Sync)
        {
            ThrowIfDisposed();
            ServiceRecord? service = null;
            if (definition.ServiceId.Length > 0)
            {
                service = _services[definition.ServiceId];
            }

            var checkId = definition.CheckId.Length > 0 ? definition.CheckId : definition.Name;
            _checks.TryGetValue(checkId, out var old);
            record = NewCheck(checkId, definition, service, old);
            if (old is not null)
            {
                StopRunner(old, toStop);
            }

            var changed = old is null || !SameInCatalog(old, record);
            var index = changed ? ++_index : old!.ModifyIndex;
            record.CreateIndex = old?.CreateIndex ?? index;
            record.ModifyIndex = index;
            _checks[checkId] = record;
            if (changed)
            {
                Touch(service?.Name, index);
            }
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
            if (checkId == SerfHealth.CheckId || !_checks.TryGetValue(checkId, out var check))
            {
                return false;
            }

            StopRunner(check, toStop);
            _checks.Remove(checkId);
            Touch(check.ServiceId.Length > 0 ? check.ServiceName : null, ++_index);
        }

        Finish([], toStop);
        return true;
    }

    /// <summary>A TTL update from the API (§5): sets status and output and restarts the TTL timer.</summary>
    public CheckResultKind UpdateTtl(string checkId, string status, string output)
    {
        CheckRecord? check;
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_checks.TryGetValue(checkId, out check))
            {
                return CheckResultKind.UnknownCheck;
            }

            if (check.Ttl <= TimeSpan.Zero)
            {
                return CheckResultKind.NotTtl;
            }

            output = TruncateOutput(output, check.OutputMaxSize);
            ApplyResultLocked(check, status, output);
        }

        (check.Runner as TtlCheckRunner)?.Restart(output);
        return CheckResultKind.Updated;
    }

    /// <summary>A result from a check runner: ignored when the runner's check was replaced or removed meanwhile.</summary>
    public void ApplyResult(CheckRecord check, string status, string output)
    {
        lock (Sync)
        {
            if (_disposed || !_checks.TryGetValue(check.CheckId, out var current) || !ReferenceEquals(current, check))
            {
                return;
            }

            ApplyResultLocked(check, status, output);
        }
    }

    /// <summary>Consul's reaper (§10): removes services whose check has been critical longer than its DCSA.</summary>
    public void ReapCriticalServices()
    {
        List<(string ServiceId, string CheckId)> reap;
        lock (Sync)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            reap = [.. _checks.Values
                .Where(c => c.ServiceId.Length > 0 && c.DeregisterCriticalServiceAfter > TimeSpan.Zero && c.CriticalSince is { } since
                    && now - since > Max(c.DeregisterCriticalServiceAfter, _options.DeregisterCriticalServiceMinimum))
                .Select(c => (c.ServiceId, c.CheckId))];
        }

        foreach (var (serviceId, checkId) in reap)
        {
            if (DeregisterService(serviceId, reaped: true))
            {
                Log.ServiceReaped(_logger, serviceId, checkId);
            }
        }
    }

    public void Dispose()
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var check in _checks.Values)
            {
                StopRunner(check, toStop);
            }
        }

        _reaper.Dispose();
        Finish([], toStop);
        Changes.Publish();
    }

    internal static string TruncateOutput(string output, int max)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(output);
        if (bytes <= max)
        {
            return output;
        }

        var head = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(output), 0, max);
        return $"{head} ... (captured {max} of {bytes} bytes)";
    }

    private const string MaintenancePrefix = "_service_maintenance:";

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>Consul's <c>HealthCheck.IsSame</c> on the fields the catalog keeps.</summary>
    private static bool SameInCatalog(CheckRecord a, CheckRecord b) =>
        a.Name == b.Name && a.CatalogStatus == b.CatalogStatus && a.Notes == b.Notes && a.CatalogOutput == b.CatalogOutput
        && a.ServiceId == b.ServiceId && a.ServiceName == b.ServiceName && a.ServiceTags.SequenceEqual(b.ServiceTags)
        && a.Type == b.Type && a.Interval == b.Interval && a.Timeout == b.Timeout;

    private static ServiceRecord BuildService(string id, ServiceDefinition d)
    {
        var tagged = new Dictionary<string, (string, int)>(d.TaggedAddresses, StringComparer.Ordinal);
        if (System.Net.IPAddress.TryParse(d.Address, out var ip))
        {
            var (lan, wan) = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? ("lan_ipv6", "wan_ipv6") : ("lan_ipv4", "wan_ipv4");
            tagged.TryAdd(lan, (d.Address, d.Port));
            tagged.TryAdd(wan, (d.Address, d.Port));
        }

        return new ServiceRecord
        {
            Id = id,
            Name = d.Name,
            Kind = d.Kind,
            Tags = [.. d.Tags],
            Address = d.Address,
            TaggedAddresses = tagged,
            Meta = d.Meta,
            Port = d.Port,
            SocketPath = d.SocketPath,
            WeightPassing = d.Weights is { } w && w.Passing != 0 ? w.Passing : 1,
            WeightWarning = d.Weights is { } v ? v.Warning : 1,
            EnableTagOverride = d.EnableTagOverride,
        };
    }

    private CheckRecord NewCheck(string checkId, CheckDefinition d, ServiceRecord? service, CheckRecord? old)
    {
        var interval = d.Interval > TimeSpan.Zero && d.Interval < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : d.Interval;
        var initial = d.Status.Length > 0 ? d.Status : "critical";
        if (interval != d.Interval)
        {
            Log.IntervalClamped(_logger, checkId, d.Interval);
        }

        return new CheckRecord
        {
            CheckId = checkId,
            Name = d.Name.Length > 0 ? d.Name : $"Service '{service?.Name}' check",
            Notes = d.Notes,
            ServiceId = service?.Id ?? string.Empty,
            ServiceName = service?.Name ?? string.Empty,
            ServiceTags = service?.Tags ?? [],
            Type = d.Type,
            Interval = interval,
            Timeout = d.Timeout,
            Ttl = d.Ttl,
            DeregisterCriticalServiceAfter = d.DeregisterCriticalServiceAfter,
            OutputMaxSize = d.OutputMaxSize > 0 ? d.OutputMaxSize : 4096,
            Definition = d,
            Status = old?.Status ?? initial,
            Output = old?.Output ?? string.Empty,
            CriticalSince = old?.CriticalSince,
            CatalogStatus = old?.CatalogStatus ?? initial,
            CatalogOutput = old?.CatalogOutput ?? string.Empty,
        };
    }

    private bool DeregisterService(string id, bool reaped)
    {
        var toStop = new List<ICheckRunner>();
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_services.Remove(id, out var service))
            {
                return false;
            }

            var index = ++_index;
            var hadChecks = false;
            foreach (var check in _checks.Values.Where(c => c.ServiceId == id).ToList())
            {
                StopRunner(check, toStop);
                _checks.Remove(check.CheckId);
                hadChecks = true;
            }

            RemoveInstanceIndex(service.Name, index, excludingId: null);
            _servicesTableIndex = index;
            _checksTableIndex = hadChecks ? index : _checksTableIndex;
            if (!reaped)
            {
                Log.ServiceDeregistered(_logger, id, index);
            }
        }

        Finish([], toStop);
        return true;
    }

    /// <summary>After an instance of <paramref name="name"/> left: bump its index, or record its extinction.</summary>
    private void RemoveInstanceIndex(string name, ulong index, string? excludingId)
    {
        if (_services.Values.Any(s => s.Name == name && s.Id != excludingId))
        {
            _serviceIndexes[name] = index;
        }
        else
        {
            _serviceIndexes.Remove(name);
            _extinctionIndex = index;
        }
    }

    /// <summary>A check write at <paramref name="index"/>: bumps its service, or every service for a node check.</summary>
    private void Touch(string? serviceName, ulong index)
    {
        _checksTableIndex = index;
        if (serviceName is not null)
        {
            _serviceIndexes[serviceName] = index;
            return;
        }

        foreach (var name in _services.Values.Select(s => s.Name).Append("consul").Distinct().ToList())
        {
            _serviceIndexes[name] = index;
        }
    }

    private void ApplyResultLocked(CheckRecord check, string status, string output)
    {
        if (status == "critical")
        {
            check.CriticalSince ??= _time.GetUtcNow();
        }
        else
        {
            check.CriticalSince = null;
        }

        if (check.Status == status && check.Output == output)
        {
            return;
        }

        var statusChanged = check.Status != status;
        if (statusChanged)
        {
            Log.CheckStatusChanged(_logger, check.CheckId, check.Status, status);
        }

        check.Status = status;
        check.Output = output;
        if (!statusChanged && _options.CheckOutputSyncDelay > TimeSpan.Zero)
        {
            // Consul defers output-only changes to the catalog (check_update_interval); the agent view is current.
            check.DeferredSync ??= _time.CreateTimer(_ => SyncDeferred(check), null, _options.CheckOutputSyncDelay, Timeout.InfiniteTimeSpan);
            return;
        }

        check.DeferredSync?.Dispose();
        check.DeferredSync = null;
        SyncToCatalog(check);
    }

    private void SyncDeferred(CheckRecord check)
    {
        lock (Sync)
        {
            if (_disposed || !_checks.TryGetValue(check.CheckId, out var current) || !ReferenceEquals(current, check))
            {
                return;
            }

            check.DeferredSync?.Dispose();
            check.DeferredSync = null;
            SyncToCatalog(check);
        }

        Changes.Publish();
    }

    private void SyncToCatalog(CheckRecord check)
    {
        if (check.CatalogStatus == check.Status && check.CatalogOutput == check.Output)
        {
            return;
        }

        var index = ++_index;
        check.CatalogStatus = check.Status;
        check.CatalogOutput = check.Output;
        check.ModifyIndex = index;
        Touch(check.ServiceId.Length > 0 ? check.ServiceName : null, index);
        Changes.Publish();
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
                if (_disposed || !_checks.TryGetValue(check.CheckId, out var current) || !ReferenceEquals(current, check))
                {
                    runner?.Dispose();
                    continue;
                }

                check.Runner = runner;
            }

            runner?.Start();
        }

        Changes.Publish();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
