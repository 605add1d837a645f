// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Checks;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Everything a running <c>-dev</c> agent holds: its datacenter's <see cref="StateStore"/> (a single-node
/// datacenter, so the agent owns it), its <see cref="LocalAgentState"/>, the reaper and the check runtime.
/// A restart without kept state replaces the whole of it.
/// </summary>
internal sealed class AgentState : IDisposable
{
    private AgentState(StateStore store, LocalAgentState local, CriticalServiceReaper reaper, CheckRuntime runtime)
    {
        Store = store;
        Local = local;
        Reaper = reaper;
        Runtime = runtime;
    }

    public StateStore Store { get; }

    public LocalAgentState Local { get; }

    public CriticalServiceReaper Reaper { get; }

    public CheckRuntime Runtime { get; }

    /// <summary>A fresh agent as <c>consul agent -dev</c> starts: one server node with a new ID.</summary>
    public static AgentState Create(ConsulTestAgentOptions options, ILogger logger)
    {
        var time = options.TimeProvider;
        var node = new NodeInfo(options.NodeName, Guid.NewGuid().ToString(), "127.0.0.1", options.Datacenter, 10);
        var store = new StateStore(node) { Time = time };
        var runtime = new CheckRuntime(time, logger);
        var local = new LocalAgentState(node, store, runtime, time, options.CheckOutputSyncDelay, logger);
        var reaper = new CriticalServiceReaper(local, time, options.ReapInterval, options.DeregisterCriticalServiceMinimum, logger);
        return new AgentState(store, local, reaper, runtime);
    }

    public void Dispose()
    {
        Reaper.Dispose();
        Local.Dispose();
        Store.Dispose();
        Runtime.Dispose();
    }
}
