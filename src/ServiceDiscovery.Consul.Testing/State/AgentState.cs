// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Checks;
using ServiceDiscovery.Consul.Testing.Federation;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Everything a running agent holds: its datacenter's <see cref="StateStore"/> (owned by a single <c>-dev</c>
/// agent, shared by the agents of a <see cref="ConsulTestCluster"/>), its <see cref="LocalAgentState"/>, the
/// reaper and the check runtime. A restart without kept state replaces the whole of it.
/// </summary>
internal sealed class AgentState : IDisposable
{
    private readonly bool _ownsStore;

    private AgentState(StateStore store, LocalAgentState local, CriticalServiceReaper reaper, CheckRuntime runtime, AgentControl control, bool ownsStore)
    {
        Control = control;
        Store = store;
        Local = local;
        Reaper = reaper;
        Runtime = runtime;
        _ownsStore = ownsStore;
    }

    public StateStore Store { get; }

    public LocalAgentState Local { get; }

    public CriticalServiceReaper Reaper { get; }

    public CheckRuntime Runtime { get; }

    /// <summary>Gets the agent-process state: its log stream, agent tokens, leave hook.</summary>
    public AgentControl Control { get; }

    /// <summary>Gets the WAN the agent's datacenter is federated over; null for a lone datacenter.</summary>
    public WanFederation? Wan { get; private init; }

    /// <summary>A fresh agent as <c>consul agent -dev</c> starts: one server node with a new ID.</summary>
    public static AgentState Create(ConsulTestAgentOptions options, ILogger logger)
    {
        var node = new NodeInfo(options.NodeName, Guid.NewGuid().ToString(), "127.0.0.1", options.Datacenter, 10);
        return Create(options, node, new StateStore(node) { Time = options.TimeProvider }, ownsStore: true, logger);
    }

    /// <summary>
    /// A fresh agent of a cluster member whose node is already in the shared <paramref name="store"/>: it knows no
    /// service or check, so its first sync removes whatever an earlier run of the node left in the catalog.
    /// </summary>
    public static AgentState CreateMember(ConsulTestAgentOptions options, NodeInfo node, StateStore store, WanFederation? wan, ILogger logger)
    {
        var state = Create(options, node, store, ownsStore: false, logger, wan);
        state.Local.SyncAll();
        return state;
    }

    public void Dispose()
    {
        Reaper.Dispose();
        Local.Dispose();
        if (_ownsStore)
        {
            Store.Dispose();
        }

        Runtime.Dispose();
    }

    private static AgentState Create(ConsulTestAgentOptions options, NodeInfo node, StateStore store, bool ownsStore, ILogger logger, WanFederation? wan = null)
    {
        var time = options.TimeProvider;
        var monitor = new AgentLogMonitor(logger, time);
        logger = monitor;
        var runtime = new CheckRuntime(time, logger, options.EnableScriptChecks);
        var local = new LocalAgentState(node, store, runtime, time, options.CheckOutputSyncDelay, options.DeregisterCriticalServiceMinimum, logger);
        var reaper = new CriticalServiceReaper(local, time, options.ReapInterval, options.DeregisterCriticalServiceMinimum, logger);
        return new AgentState(store, local, reaper, runtime, new AgentControl(monitor), ownsStore) { Wan = wan };
    }
}
