// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>
/// A datacenter of several Consul-compatible agents on loopback, for tests of clients that talk to more than one
/// agent. The model:
/// <list type="bullet">
/// <item><description>
/// The agents share one datacenter state, as a datacenter's servers do: one catalog, one KV store, one index, one
/// change signal, so a blocking query on any agent wakes on a change made through any other.
/// </description></item>
/// <item><description>
/// Agent 0 (<c>node-1</c>) is the datacenter's only server and its leader: <c>/v1/status/leader</c> and
/// <c>/v1/status/peers</c> answer its address on every agent, and only its node carries the <c>consul</c> service.
/// The others are client agents whose reads and writes reach that shared state at once (forwarding is instant).
/// </description></item>
/// <item><description>
/// Each agent has its own node (<c>node-1</c>, <c>node-2</c>…), listener, fault hooks and local state: services and
/// checks registered through <c>/v1/agent/*</c> on an agent belong to its node, run their checks there and are
/// synced into the shared catalog.
/// </description></item>
/// <item><description>
/// Each agent listens on its own address (<c>127.0.0.1</c>, <c>127.0.0.2</c>…) where the system lets loopback
/// aliases be bound (Linux and Windows do; macOS needs them configured), otherwise all on <c>127.0.0.1</c> with
/// different ports. A node's catalog <c>Address</c> is its agent's address.
/// </description></item>
/// <item><description>
/// <see cref="StopAgentAsync"/> is an agent dying: its listener closes, its checks stop, and the leader marks its
/// node's <c>serfHealth</c> critical (<c>Agent not live or unreachable</c>), which turns every instance on the node
/// critical in <c>/v1/health</c>; the node keeps its services and checks in the catalog until
/// <see cref="ForceLeave"/> removes them, as Consul keeps a failed member's until <c>force-leave</c> or the reap
/// after <c>reconnect_timeout</c>. Disposing a client agent has the same effect on its node.
/// <see cref="StartAgentAsync"/> brings the agent back as one restarted with its data directory: the node turns
/// alive and anti-entropy writes its local services and checks into the catalog again.
/// </description></item>
/// <item><description>
/// <see cref="ConsulTestAgent.RestartAsync"/> without kept state, on an agent of a cluster, loses that agent's
/// local state only: the datacenter's state survives (the index never goes backwards) and the fresh agent's first
/// sync removes its node's services and checks from the catalog.
/// </description></item>
/// </list>
/// Stopping the server is not emulated (a datacenter without a leader answers most reads with errors); stop a client.
/// </summary>
/// <example>
/// <code>
/// await using var cluster = await ConsulTestCluster.StartAsync(3);
/// using var a = new HttpClient { BaseAddress = cluster.Agents[1].Address };
/// using var b = new HttpClient { BaseAddress = cluster.Agents[2].Address };
/// await a.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"web","Port":80}"""));
/// var entries = await b.GetStringAsync("/v1/health/service/web"); // node-2's instance
/// </code>
/// </example>
public sealed partial class ConsulTestCluster : IAsyncDisposable, IDisposable
{
    /// <summary>The most agents a cluster may have.</summary>
    public const int MaxAgents = 32;

    private readonly StateStore _store;
    private readonly ILogger _logger;
    private readonly ConsulTestAgentOptions _options;
    private readonly IPAddress[] _addresses;
    private readonly List<ConsulTestAgent> _agents = [];
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly bool[] _stopped;
    private volatile bool _disposing;

    private ConsulTestCluster(StateStore store, ConsulTestAgentOptions options, IPAddress[] addresses, ILogger logger)
    {
        _store = store;
        _options = options;
        _addresses = addresses;
        _logger = logger;
        _stopped = new bool[addresses.Length];
    }

    /// <summary>Gets the agents, in node order: agent 0 is <c>node-1</c>, the server and leader.</summary>
    public IReadOnlyList<ConsulTestAgent> Agents => _agents;

    /// <summary>Gets the agent that is the datacenter's server and leader (agent 0).</summary>
    public ConsulTestAgent Leader => _agents[0];

    /// <summary>Starts a cluster of <paramref name="agentCount"/> agents sharing one datacenter.</summary>
    /// <param name="agentCount">How many agents, from 1 to <see cref="MaxAgents"/>.</param>
    /// <param name="options">
    /// Options every agent runs with (datacenter, ACLs, clock, reaping); null for the defaults.
    /// <see cref="ConsulTestAgentOptions.Port"/> is agent 0's port (0 picks free ones; with loopback aliases every agent
    /// uses it on its own address); <see cref="ConsulTestAgentOptions.NodeName"/> is not used: nodes are named <c>node-1</c>….
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster. Dispose it to stop every agent.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static async Task<ConsulTestCluster> StartAsync(int agentCount, ConsulTestAgentOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(agentCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(agentCount, MaxAgents);
        options ??= new ConsulTestAgentOptions();
        ThrowIfInvalid(options);
        var addresses = LoopbackAddresses(agentCount);
        var cluster = Create(options, addresses);
        cluster._datacenters = [cluster];
        try
        {
            await cluster.StartAgentsAsync(options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Stops a client agent as if it died: it stops accepting connections (in-flight requests are dropped), its
    /// checks stop running, and its node's <c>serfHealth</c> turns critical, with its services, in the shared catalog.
    /// </summary>
    /// <param name="index">The agent's index in <see cref="Agents"/>; not 0, the server.</param>
    /// <param name="cancellationToken">Cancels the wait for the listener to close.</param>
    /// <returns>A task that completes once the node is marked failed.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="index"/> is the server's.</exception>
    public async Task StopAgentAsync(int index, CancellationToken cancellationToken = default)
    {
        var agent = ClientAgent(index);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await agent.StopAcceptingAsync(cancellationToken).ConfigureAwait(false);
            agent.State.Local.Suspend();
            _stopped[index] = true;
            MarkFailed(agent.NodeName);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Starts a stopped agent again, as one restarted with its data directory: its node turns alive (registered again
    /// if it was removed), its local services and checks are synced into the catalog and their checks run again.
    /// </summary>
    /// <param name="index">The agent's index in <see cref="Agents"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the agent accepts connections.</returns>
    public async Task StartAgentAsync(int index, CancellationToken cancellationToken = default)
    {
        var agent = ClientAgent(index);
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_stopped[index])
            {
                var node = agent.State.Local.Node;
                lock (_store.Sync)
                {
                    _store.JoinNode(node.Name, node.Id, node.Address, node.Datacenter);
                }

                agent.State.Local.Resume();
                _stopped[index] = false;
                Log.AgentAlive(_logger, node.Name);
            }

            await agent.StartAcceptingAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Removes a stopped agent's node from the catalog with all its services and checks, as <c>consul force-leave</c>
    /// (or the reap of a member failed longer than <c>reconnect_timeout</c>) makes the leader do.
    /// </summary>
    /// <param name="index">The index in <see cref="Agents"/> of an agent stopped by <see cref="StopAgentAsync"/>.</param>
    /// <exception cref="InvalidOperationException">The agent is running: force-leave only removes failed members.</exception>
    public void ForceLeave(int index)
    {
        var agent = ClientAgent(index);
        if (!_stopped[index])
        {
            throw new InvalidOperationException($"{agent.NodeName} is alive: force-leave removes failed members only; stop it first.");
        }

        lock (_store.Sync)
        {
            _store.DeregisterNode(agent.NodeName);
        }

        Log.NodeLeft(_logger, agent.NodeName);
    }

    /// <summary>
    /// Stops every agent of the datacenter; on the primary (the cluster <see cref="StartDatacentersAsync"/> returned) every other
    /// datacenter's too. A secondary disposed alone leaves the WAN unreachable, as a datacenter that went away.
    /// </summary>
    /// <returns>A task that completes when the agents are stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        _disposing = true;
        if (_wanEntry is { } entry)
        {
            entry.Reachable = false;
        }

        for (var i = _agents.Count - 1; i >= 0; i--)
        {
            await _agents[i].DisposeAsync().ConfigureAwait(false);
        }

        _store.Dispose();
        if (_datacenters.Count > 0 && _datacenters[0] == this)
        {
            foreach (var other in _datacenters.Skip(1).Where(d => !d._disposing))
            {
                await other.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stops every agent, blocking until they are stopped; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        // For callers with no async disposal (e.g. a using statement in synchronous code). The work runs on the
        // thread pool, so no captured synchronization context can deadlock it.
#pragma warning disable VSTHRD002
        Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
    }

    private static void ThrowIfInvalid(ConsulTestAgentOptions options)
    {
        var result = new ConsulTestAgentOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ConsulTestAgentOptions), typeof(ConsulTestAgentOptions), result.Failures);
        }
    }

    /// <summary>A datacenter's state, its server being the node of the first address; no agent runs yet.</summary>
    private static ConsulTestCluster Create(ConsulTestAgentOptions options, IPAddress[] addresses)
    {
        var server = new NodeInfo("node-1", Guid.NewGuid().ToString(), addresses[0].ToString(), options.Datacenter, 10);
        var logger = options.LoggerFactory?.CreateLogger<ConsulTestCluster>() ?? NullLogger<ConsulTestCluster>.Instance;
        return new ConsulTestCluster(new StateStore(server) { Time = options.TimeProvider }, options, addresses, logger);
    }

    /// <summary>
    /// Starts the datacenter's agents: the server on <paramref name="firstPort"/>, the others on the same port of their
    /// own address, or on free ports when they share 127.0.0.1.
    /// </summary>
    private async Task StartAgentsAsync(int firstPort, CancellationToken cancellationToken)
    {
        var options = _options;
        var server = _store.ServerNode.Node;
        var wan = _wan;
        for (var i = 0; i < _addresses.Length; i++)
        {
            NodeInfo node;
            lock (_store.Sync)
            {
                node = i == 0 ? server : _store.JoinNode($"node-{i + 1}", Guid.NewGuid().ToString(), _addresses[i].ToString(), options.Datacenter);
            }

            var port = i == 0 ? firstPort : _addresses[i].Equals(_addresses[0]) ? 0 : options.Port;
            var agent = await ConsulTestAgent.StartMemberAsync(
                options, _addresses[i], port, agentLogger => AgentState.CreateMember(options, node, _store, wan, agentLogger),
                i == 0 ? null : () => MarkFailed(node.Name), cancellationToken).ConfigureAwait(false);
            _agents.Add(agent);
        }
    }

    /// <summary>127.0.0.1, 127.0.0.2… when loopback aliases can be bound, otherwise 127.0.0.1 for every agent.</summary>
    private static IPAddress[] LoopbackAddresses(int count)
    {
        var distinct = count > 1 && CanBind(new IPAddress([127, 0, 0, 2]));
        return [.. Enumerable.Range(1, count).Select(i => distinct ? new IPAddress([127, 0, 0, (byte)i]) : IPAddress.Loopback)];
    }

    private static bool CanBind(IPAddress address)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private ConsulTestAgent ClientAgent(int index)
    {
        ObjectDisposedException.ThrowIf(_disposing, this);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _agents.Count);
        return index == 0
            ? throw new InvalidOperationException("Agent 0 is the cluster's only server and leader; a datacenter without one is not emulated. Stop a client agent.")
            : _agents[index];
    }

    private void MarkFailed(string nodeName)
    {
        if (_disposing)
        {
            return;
        }

        bool changed;
        lock (_store.Sync)
        {
            changed = _store.SetNodeAlive(nodeName, alive: false);
        }

        if (changed)
        {
            Log.NodeFailed(_logger, nodeName);
        }
    }
}
