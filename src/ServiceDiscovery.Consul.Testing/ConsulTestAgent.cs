// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>
/// A Consul-compatible agent on loopback for integration tests: it answers the HTTP API as a single
/// <c>consul agent -dev</c> does (status codes, error texts, blocking queries, real HTTP and TTL checks, reaping,
/// ACL denials), exposes its state for assertions, and has fault hooks for reliability tests.
/// </summary>
/// <example>
/// <code>
/// await using var agent = await ConsulTestAgent.StartAsync();
/// using var http = new HttpClient { BaseAddress = agent.Address };
/// await http.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"web","Port":80}"""));
/// Assert.Single(agent.Services);
/// </code>
/// </example>
public sealed partial class ConsulTestAgent : IAsyncDisposable
{
    /// <summary>The Consul version the agent reports and emulates.</summary>
    internal const string ConsulVersion = "1.21.4";

    private readonly ConsulTestAgentOptions _options;
    private readonly ILogger _logger;
    private readonly FaultInjector _faults = new();
    private readonly RequestLog _requests = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly IPAddress _ip;
    private readonly Func<AgentState> _createState;
    private readonly Action? _onDisposed;
    private AgentState _state;
    private AgentServer? _server;
    private int _port;
    private bool _disposed;

    private ConsulTestAgent(ConsulTestAgentOptions options, IPAddress ip, int port, Func<ILogger, AgentState> createState, Action? onDisposed)
    {
        _options = options;
        _logger = options.LoggerFactory?.CreateLogger<ConsulTestAgent>() ?? NullLogger<ConsulTestAgent>.Instance;
        _ip = ip;
        _port = port;
        _createState = () =>
        {
            var state = createState(_logger);
            state.Control.Leave = LeaveAsync;
            return state;
        };
        _onDisposed = onDisposed;
        _state = _createState();
    }

    /// <summary>Gets the current state store (tests look inside it).</summary>
    internal StateStore Store => _state.Store;

    /// <summary>Gets the agent's current state (a cluster suspends and resumes its local part).</summary>
    internal AgentState State => _state;

    /// <summary>Gets the agent's HTTP address, e.g. <c>http://127.0.0.1:51234/</c>.</summary>
    public Uri Address => new($"http://{_ip}:{_port}/");

    /// <summary>Gets the name of the node the agent runs as.</summary>
    public string NodeName => _state.Local.Node.Name;

    /// <summary>Gets the port the agent listens on (kept across restarts).</summary>
    public int Port => _port;

    /// <summary>Gets a value indicating whether the agent currently accepts connections.</summary>
    public bool IsAccepting => Volatile.Read(ref _server) is not null;

    /// <summary>Gets the current Raft-like index: it moves on every catalog or KV change.</summary>
    public ulong Index
    {
        get
        {
            var store = _state.Store;
            lock (store.Sync)
            {
                return store.Index;
            }
        }
    }

    /// <summary>Gets a snapshot of the registered service instances, ordered by ID.</summary>
    public IReadOnlyList<ConsulTestService> Services
    {
        get
        {
            var local = _state.Local;
            lock (local.Sync)
            {
                return [.. local.Services.Values.OrderBy(s => s.Id, StringComparer.Ordinal)
                    .Select(s => new ConsulTestService(s.Id, s.Name, s.Address, s.Port, [.. s.Tags], new Dictionary<string, string>(s.Meta)))];
            }
        }
    }

    /// <summary>Gets a snapshot of the agent's checks (the built-in <c>serfHealth</c> excluded), ordered by ID.</summary>
    public IReadOnlyList<ConsulTestCheck> Checks
    {
        get
        {
            var local = _state.Local;
            lock (local.Sync)
            {
                return [.. local.Checks.Values.OrderBy(c => c.CheckId, StringComparer.Ordinal)
                    .Select(c => new ConsulTestCheck(c.CheckId, c.Name, c.ServiceId, c.Type, c.Status, c.Output, c.Notes))];
            }
        }
    }

    /// <summary>Gets a snapshot of the KV store, ordered by key.</summary>
    public IReadOnlyList<ConsulTestKeyValue> KeyValues
    {
        get
        {
            var store = _state.Store;
            lock (store.Sync)
            {
                return [.. store.KeyValues.Values.Select(e => new ConsulTestKeyValue(e.Key, e.Value.ToArray(), e.Flags, e.CreateIndex, e.ModifyIndex))];
            }
        }
    }

    /// <summary>Gets every request received since start (or <see cref="ClearRequests"/>), in arrival order.</summary>
    public IReadOnlyList<ConsulTestRequest> Requests => _requests.Snapshot();

    /// <summary>Gets or sets a delay added before every request is handled (real time, not the options' clock).</summary>
    public TimeSpan Latency
    {
        get => _faults.Latency;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            _faults.Latency = value;
        }
    }

    /// <summary>Starts an agent on 127.0.0.1.</summary>
    /// <param name="options">The options; null for the defaults (a free port, <c>dc1</c>, ACLs off).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running agent. Dispose it to stop it.</returns>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public static async Task<ConsulTestAgent> StartAsync(ConsulTestAgentOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ConsulTestAgentOptions();
        var result = new ConsulTestAgentOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(nameof(ConsulTestAgentOptions), typeof(ConsulTestAgentOptions), result.Failures);
        }

        return await StartListeningAsync(new ConsulTestAgent(options, IPAddress.Loopback, options.Port, logger => AgentState.Create(options, logger), onDisposed: null), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Starts an agent of a <see cref="ConsulTestCluster"/> on <paramref name="ip"/>, its state made by <paramref name="createState"/>.</summary>
    internal static Task<ConsulTestAgent> StartMemberAsync(
        ConsulTestAgentOptions options, IPAddress ip, int port, Func<ILogger, AgentState> createState, Action? onDisposed, CancellationToken cancellationToken) =>
        StartListeningAsync(new ConsulTestAgent(options, ip, port, createState, onDisposed), cancellationToken);

    private static async Task<ConsulTestAgent> StartListeningAsync(ConsulTestAgent agent, CancellationToken cancellationToken)
    {
        try
        {
            await agent.StartAcceptingAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return agent;
    }

    /// <summary>Counts the requests received whose path starts with <paramref name="pathPrefix"/>.</summary>
    /// <param name="pathPrefix">A decoded path prefix, e.g. <c>/v1/health/service/web</c>.</param>
    /// <param name="method">Only this HTTP method, or any when null.</param>
    /// <returns>The number of matching requests.</returns>
    public int CountRequests(string pathPrefix, string? method = null)
    {
        ArgumentNullException.ThrowIfNull(pathPrefix);
        return _requests.Snapshot().Count(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)
            && (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>Forgets the requests recorded so far.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Holds every request (new and in-flight ones not yet handled) until <see cref="Resume"/>: connections are accepted, nothing is answered.</summary>
    public void Pause()
    {
        _faults.Pause();
        Log.Paused(_logger);
    }

    /// <summary>Answers the requests held by <see cref="Pause"/> and every later one.</summary>
    public void Resume()
    {
        _faults.Resume();
        Log.Resumed(_logger);
    }

    /// <summary>Answers the next <paramref name="count"/> requests with <paramref name="statusCode"/> and a plain-text body, as Consul's errors look.</summary>
    /// <param name="count">How many requests to fail.</param>
    /// <param name="statusCode">The status to answer with.</param>
    /// <param name="pathPrefix">Only requests whose decoded path starts with this; null for any.</param>
    /// <param name="body">The body; null for <c>rpc error making call: injected fault</c>.</param>
    public void FailNextRequests(int count, int statusCode = 500, string? pathPrefix = null, string? body = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        _faults.FailNext(count, statusCode, pathPrefix, body ?? "rpc error making call: injected fault");
    }

    /// <summary>
    /// Cuts the next <paramref name="count"/> responses in the middle of their body: the request is handled as usual
    /// (a blocking query still blocks), the status line, the headers (with the full <c>Content-Length</c>) and the
    /// first half of the body are sent, then the connection is closed: the client reads a body that ends early.
    /// </summary>
    /// <param name="count">How many responses to cut.</param>
    /// <param name="pathPrefix">Only requests whose decoded path starts with this; null for any.</param>
    public void CutNextResponses(int count, string? pathPrefix = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        _faults.CutNext(count, pathPrefix);
    }

    /// <summary>Clears every fault: pause, latency, pending failures and cuts.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>Stops listening: new connections are refused and in-flight requests are dropped. State is kept.</summary>
    /// <param name="cancellationToken">Cancels the wait for the lifecycle lock.</param>
    /// <returns>A task that completes when the listener is closed.</returns>
    public async Task StopAcceptingAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await StopServerAsync().ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Listens again on the same port after <see cref="StopAcceptingAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the agent accepts connections.</returns>
    public async Task StartAcceptingAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_server is not null)
            {
                return;
            }

            var server = await AgentServer.StartAsync(_ip, _port, () => _state, _options, _faults, _requests, cancellationToken).ConfigureAwait(false);
            _port = server.Port;
            Volatile.Write(ref _server, server);
            Log.Started(_logger, Address);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Restarts the agent on the same port. Like a <c>-dev</c> agent, a restart without <paramref name="keepState"/>
    /// forgets every service, check and key and starts its index again from a fresh agent's, so watchers see the
    /// index go backwards. In-flight requests are dropped.
    /// </summary>
    /// <param name="keepState">Keep services, checks, KV and the index (a restart with a data directory).</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the agent accepts connections again.</returns>
    public async Task RestartAsync(bool keepState = false, CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            await StopServerAsync().ConfigureAwait(false);
            if (!keepState)
            {
                var old = _state;
                old.Dispose();
                _state = _createState();
            }

            var server = await AgentServer.StartAsync(_ip, _port, () => _state, _options, _faults, _requests, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _server, server);
            Log.Restarted(_logger, keepState);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Waits until <paramref name="condition"/> holds for the agent's state, re-evaluating on every state change,
    /// so tests synchronise on facts rather than sleeps.
    /// </summary>
    /// <param name="condition">The condition, evaluated on the agent.</param>
    /// <param name="timeout">The real-time deadline.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    /// <exception cref="TimeoutException">The condition did not hold within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilAsync(Func<ConsulTestAgent, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (true)
        {
            var changed = _state.Store.Changes.NextChange;
            if (condition(this))
            {
                return;
            }

            try
            {
                // Agent-only changes (e.g. a deferred output) do not publish; re-check at least every 50 ms.
                await changed.WaitAsync(TimeSpan.FromMilliseconds(50), TimeProvider.System, linked.Token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Re-evaluate.
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The condition did not hold within {timeout}.");
            }
        }
    }

    /// <summary>Runs the critical-service reaper now, as its timer would.</summary>
    public void ReapNow() => _state.Reaper.ReapNow();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _faults.Clear();
            await StopServerAsync().ConfigureAwait(false);
            _state.Dispose();
            _onDisposed?.Invoke();
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>After <c>/v1/agent/leave</c> answered: the only server left, so the agent stops listening, keeping its state.</summary>
    private async Task LeaveAsync()
    {
        try
        {
            await StopAcceptingAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // Disposed meanwhile.
        }
    }

    private async Task StopServerAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server)
        {
            await server.DisposeAsync().ConfigureAwait(false);
            Log.Stopped(_logger, _port);
        }
    }
}
