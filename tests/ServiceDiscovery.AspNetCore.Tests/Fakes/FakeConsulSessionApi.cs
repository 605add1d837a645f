// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Fakes;

/// <summary>
/// An in-memory <see cref="IConsulSessionApi"/>: sessions live until destroyed or <see cref="Invalidate"/>d; renewals
/// can be made to fail (Consul unreachable) with <see cref="FailRenewals"/>, or answered late with
/// <see cref="HoldNextRenewal"/>. Every call is counted.
/// </summary>
internal sealed class FakeConsulSessionApi : IConsulSessionApi
{
    private readonly ConcurrentDictionary<string, SessionCreateRequest> _sessions = new();
    private int _next;
    private int _renewals;
    private TaskCompletionSource? _heldRenewal;

    public Uri Address { get; } = new("http://127.0.0.1:8500/");

    /// <summary>When set, every renewal throws a connection failure.</summary>
    public bool FailRenewals { get; set; }

    public int Renewals => Volatile.Read(ref _renewals);

    public ConcurrentQueue<string> Destroyed { get; } = new();

    public IReadOnlyCollection<string> Live => [.. _sessions.Keys];

    public SessionCreateRequest Request(string id) => _sessions[id];

    /// <summary>
    /// The next renewal is decided when it is sent (confirmed, 404, or failed per <see cref="FailRenewals"/>) but its
    /// answer is delivered only when the returned source completes, as from a Consul that answers seconds late.
    /// </summary>
    public TaskCompletionSource HoldNextRenewal()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _heldRenewal, held);
        return held;
    }

    /// <summary>Consul forgets the session, as after its TTL or an operator's destroy.</summary>
    public void Invalidate(string id) => _sessions.TryRemove(id, out _);

    public Task<string> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken)
    {
        var id = $"session-{Interlocked.Increment(ref _next)}";
        _sessions[id] = request;
        return Task.FromResult(id);
    }

    public async Task<SessionInfo?> RenewSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _renewals);
        if (FailRenewals)
        {
            throw new ConsulException("connection refused", ConsulErrorReason.ConnectionFailed, statusCode: null, responseBody: null);
        }

        var answer = _sessions.ContainsKey(sessionId) ? new SessionInfo { ID = sessionId } : null;
        if (Interlocked.Exchange(ref _heldRenewal, null) is { } held)
        {
            await held.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return answer;
    }

    public Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        _sessions.TryRemove(sessionId, out _);
        Destroyed.Enqueue(sessionId);
        return Task.CompletedTask;
    }

    public Task<QueryResult<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions options, CancellationToken cancellationToken)
        => Task.FromResult(new QueryResult<SessionInfo?>(_sessions.ContainsKey(sessionId) ? new SessionInfo { ID = sessionId } : null, 1, true, TimeSpan.Zero));
}
