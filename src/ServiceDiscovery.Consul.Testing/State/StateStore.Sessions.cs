// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The sessions table (state/session.go) and the leader's session TTL timers (session_ttl.go): creation checks the
/// node and the tied checks, invalidation (destroy, TTL × 2 without renewal, a tied check turning critical or
/// removed) releases or deletes the keys the session holds and starts their lock-delay, all at one index.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>Consul's <c>structs.SessionTTLMultiplier</c>: a TTL session lives TTL × 2 without renewal.</summary>
    private const int SessionTtlMultiplier = 2;

    // Consul's sessions id index lower-cases the ID, so lookups ignore case.
    private readonly Dictionary<string, SessionRecord> _sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, (ITimer Timer, object Token)> _sessionTimers = new(StringComparer.OrdinalIgnoreCase);
    private ulong _sessionsTableIndex;

    /// <summary>Gets the clock for lock-delays and session TTLs.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Gets the index of the sessions table (what every session read reports).</summary>
    public ulong SessionsTableIndex => _sessionsTableIndex;

    /// <summary>Gets the sessions in ID order, as memdb lists them.</summary>
    public IEnumerable<SessionRecord> Sessions => _sessions.Values.OrderBy(s => s.Id.ToLowerInvariant(), StringComparer.Ordinal);

    public SessionRecord? Session(string id) => _sessions.GetValueOrDefault(id);

    /// <summary>Creates a session (sessionCreateTxn); returns Consul's error text when the node or a check forbids it.</summary>
    public string? CreateSession(SessionRecord session)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            // The nodes table matches names case-insensitively.
            var node = _nodes.GetValueOrDefault(session.Node)
                ?? _nodes.Values.FirstOrDefault(n => string.Equals(n.Node.Name, session.Node, StringComparison.OrdinalIgnoreCase));
            if (node is null)
            {
                return "Missing node registration";
            }

            foreach (var checkId in session.CheckIds)
            {
                var check = node.Checks.Values.FirstOrDefault(c => string.Equals(c.CheckId, checkId, StringComparison.OrdinalIgnoreCase));
                if (check is null)
                {
                    return $"Missing check '{checkId}' registration";
                }

                if (check.CatalogStatus == "critical")
                {
                    return $"Check '{checkId}' is in critical state";
                }
            }

            var index = NextIndex();
            session.CreateIndex = index;
            session.ModifyIndex = index;
            _sessions[session.Id] = session;
            _sessionsTableIndex = index;
            ResetSessionTimer(session);
        }

        Changes.Publish();
        return null;
    }

    /// <summary>Destroys a session; an unknown ID is not an error (deleteSessionTxn).</summary>
    public void DestroySession(string id)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            if (_sessions.TryGetValue(id, out var session))
            {
                InvalidateSession(session, NextIndex());
            }
        }

        Changes.Publish();
    }

    /// <summary>Renews a session's TTL timer; returns the session, or null when it does not exist.</summary>
    public SessionRecord? RenewSession(string id)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_sessions.TryGetValue(id, out var session))
            {
                return null;
            }

            ResetSessionTimer(session);
            return session;
        }
    }

    /// <summary>Invalidates every session of <paramref name="node"/> tied to a check that is now critical or gone, at <paramref name="index"/>.</summary>
    private void InvalidateSessionsForChecks(CatalogNode node, ulong index)
    {
        if (_sessions.Count == 0)
        {
            return;
        }

        foreach (var session in _sessions.Values.Where(s => string.Equals(s.Node, node.Node.Name, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            var broken = session.CheckIds.Any(id =>
                node.Checks.Values.FirstOrDefault(c => string.Equals(c.CheckId, id, StringComparison.OrdinalIgnoreCase)) is not { } check
                || check.CatalogStatus == "critical");
            if (broken)
            {
                InvalidateSession(session, index);
            }
        }
    }

    /// <summary>Invalidates every session of the node <paramref name="node"/> (the node is gone), at <paramref name="index"/>.</summary>
    private void InvalidateSessionsOfNode(string node, ulong index)
    {
        foreach (var session in _sessions.Values.Where(s => string.Equals(s.Node, node, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            InvalidateSession(session, index);
        }
    }

    /// <summary>Removes the session and releases or deletes its keys per its behaviour, starting their lock-delay.</summary>
    private void InvalidateSession(SessionRecord session, ulong index)
    {
        _sessions.Remove(session.Id);
        _sessionsTableIndex = index;
        if (_sessionTimers.Remove(session.Id, out var timer))
        {
            timer.Timer.Dispose();
        }

        var delay = session.LockDelay > SessionRecord.MaxLockDelay ? SessionRecord.MaxLockDelay : session.LockDelay;
        var now = Time.GetUtcNow();
        foreach (var entry in _kv.Values.Where(e => string.Equals(e.Session, session.Id, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            if (session.Behavior == "delete")
            {
                _kv.Remove(entry.Key);
                _tombstones[entry.Key] = index;
            }
            else
            {
                _kv[entry.Key] = entry with { Session = string.Empty, ModifyIndex = index };
            }

            _kvTableIndex = index;
            if (delay > TimeSpan.Zero)
            {
                _lockDelays[entry.Key] = now + delay;
            }
        }
    }

    /// <summary>Starts (or restarts) the TTL × 2 timer of a TTL session (resetSessionTimer).</summary>
    private void ResetSessionTimer(SessionRecord session)
    {
        if (session.TtlDuration <= TimeSpan.Zero)
        {
            return;
        }

        if (_sessionTimers.Remove(session.Id, out var old))
        {
            old.Timer.Dispose();
        }

        var id = session.Id;
        var token = new object();
        var timer = Time.CreateTimer(_ => ExpireSession(id, token), null, session.TtlDuration * SessionTtlMultiplier, Timeout.InfiniteTimeSpan);
        _sessionTimers[id] = (timer, token);
    }

    /// <summary>A TTL timer fired: invalidate the session unless it was renewed or destroyed meanwhile.</summary>
    private void ExpireSession(string id, object token)
    {
        lock (Sync)
        {
            if (_disposed || !_sessionTimers.TryGetValue(id, out var current) || current.Token != token
                || !_sessions.TryGetValue(id, out var session))
            {
                return;
            }

            InvalidateSession(session, NextIndex());
        }

        Changes.Publish();
    }

    private void DisposeSessionTimers()
    {
        lock (Sync)
        {
            foreach (var (timer, _) in _sessionTimers.Values)
            {
                timer.Dispose();
            }

            _sessionTimers.Clear();
        }
    }
}
