// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The datacenter-wide state a Consul server keeps (agent/consul/state): the catalog of nodes, their services and
/// checks, the KV table, one Raft-like index that every write moves, and the signal blocking queries wait on.
/// Several agents may share one store, each registering its own node. Indexes follow Consul's state store: a
/// per-service index bumped only by a real change (§6), the "last extinction" index for services with no
/// instance left, and table indexes for the catalog lists. Every read and write holds <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore : IDisposable
{
    /// <summary>Index a fresh dev agent's catalog has reached once its node, <c>serfHealth</c> and the <c>consul</c> service are in.</summary>
    internal const ulong BootIndex = 13;

    private readonly Dictionary<string, CatalogNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _serviceIndexes = new(StringComparer.Ordinal);
    private ulong _index;
    private ulong _extinctionIndex;
    private ulong _servicesTableIndex;
    private ulong _checksTableIndex;
    private int _blockedQueries;
    private bool _disposed;

    /// <summary>Creates the store of a datacenter whose first server is <paramref name="server"/>, as a fresh <c>-dev</c> agent has it.</summary>
    public StateStore(NodeInfo server)
    {
        ConsulService = BuiltInRecords.ConsulService(index: 11);
        var node = new CatalogNode(server, BuiltInRecords.SerfHealth(index: 12));
        _nodes[server.Name] = node;
        ServerNode = node;
        _index = BootIndex;
        _servicesTableIndex = ConsulService.ModifyIndex;
        _checksTableIndex = node.SerfHealth!.ModifyIndex;
    }

    /// <summary>Gets the lock every read and write holds.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Gets the signal blocking queries wait on.</summary>
    public ChangeSignal Changes { get; } = new();

    /// <summary>Gets how many blocking queries are waiting right now (tests synchronise on it).</summary>
    public int BlockedQueries => Volatile.Read(ref _blockedQueries);

    /// <summary>Gets the <c>consul</c> service every server agent has in its catalog.</summary>
    public ServiceRecord ConsulService { get; }

    /// <summary>Gets the current Raft-like index.</summary>
    public ulong Index => _index;

    /// <summary>Gets the index of the catalog's services table (<c>/v1/catalog/services</c>).</summary>
    public ulong ServicesTableIndex => _servicesTableIndex;

    /// <summary>Gets the node of the datacenter's server, where the <c>consul</c> service runs.</summary>
    public CatalogNode ServerNode { get; }

    /// <summary>Gets the catalog's nodes by name.</summary>
    public IReadOnlyDictionary<string, CatalogNode> Nodes => _nodes;

    /// <summary>Gets the catalog's nodes in name order, as Consul lists them.</summary>
    public IEnumerable<CatalogNode> NodesByName => _nodes.Values.OrderBy(n => n.Node.Name, StringComparer.Ordinal);

    /// <summary>Gets the catalog entry of <paramref name="name"/>.</summary>
    public CatalogNode Node(string name) => _nodes[name];

    /// <summary>The instances on <paramref name="node"/>, the <c>consul</c> service included on the server.</summary>
    public IEnumerable<ServiceRecord> ServicesOn(CatalogNode node) =>
        node == ServerNode ? node.Services.Values.Prepend(ConsulService) : node.Services.Values;

    /// <summary>The instances of <paramref name="name"/> on <paramref name="node"/>.</summary>
    public IEnumerable<ServiceRecord> InstancesOn(CatalogNode node, string name) =>
        name == "consul" ? (node == ServerNode ? [ConsulService] : []) : node.Services.Values.Where(s => s.Name == name);

    public void EnterBlocking() => Interlocked.Increment(ref _blockedQueries);

    public void ExitBlocking() => Interlocked.Decrement(ref _blockedQueries);

    /// <summary>The index of <c>/v1/health/service/:name</c> or <c>/v1/catalog/service/:name</c> (catalog.go <c>maxIndexForService</c>).</summary>
    public ulong ServiceIndex(string name, bool checksTable) =>
        ServiceIndex(name, name == "consul" || _nodes.Values.Any(n => n.Services.Values.Any(s => s.Name == name)), checksTable);

    /// <summary>catalog.go <c>maxIndexForService</c>: the extinction index when the result is empty, else the name's own index, else the tables'.</summary>
    public ulong ServiceIndex(string name, bool exists, bool checksTable)
    {
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

    /// <summary>Moves the Raft-like index for one write and returns it. The caller holds <see cref="Sync"/>.</summary>
    public ulong NextIndex()
    {
        ThrowIfDisposed();
        return ++_index;
    }

    /// <summary>Closes the store: later writes throw, and every waiter wakes once.</summary>
    public void Dispose()
    {
        lock (Sync)
        {
            _disposed = true;
        }

        DisposeSessionTimers();
        DisposeConnectCa();
        Changes.Publish();
    }

    /// <summary>Records a write to the services (and maybe checks) of <paramref name="serviceName"/> at <paramref name="index"/>.</summary>
    private void ServiceWritten(string serviceName, ulong index, bool servicesTable, bool checksTable)
    {
        _serviceIndexes[serviceName] = index;
        _servicesTableIndex = servicesTable ? index : _servicesTableIndex;
        _checksTableIndex = checksTable ? index : _checksTableIndex;
    }

    /// <summary>After an instance of <paramref name="name"/> left: bump its index, or record its extinction.</summary>
    private void InstanceRemoved(string name, ulong index, CatalogNode node, string? excludingId)
    {
        if (_nodes.Values.Any(n => n.Services.Values.Any(s => s.Name == name && (n != node || s.Id != excludingId))))
        {
            _serviceIndexes[name] = index;
        }
        else
        {
            _serviceIndexes.Remove(name);
            _extinctionIndex = index;
        }
    }

    /// <summary>A check write at <paramref name="index"/>: bumps its service, or every service of the node for a node check.</summary>
    private void ChecksWritten(CatalogNode node, string? serviceName, ulong index)
    {
        _checksTableIndex = index;
        InvalidateSessionsForChecks(node, index);
        if (serviceName is not null)
        {
            _serviceIndexes[serviceName] = index;
            return;
        }

        var names = node.Services.Values.Select(s => s.Name);
        foreach (var name in (node == ServerNode ? names.Append("consul") : names).Distinct().ToList())
        {
            _serviceIndexes[name] = index;
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
