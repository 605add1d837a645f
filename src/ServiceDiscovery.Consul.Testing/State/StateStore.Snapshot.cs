// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// What a snapshot carries of the store's own tables (KV with its tombstones, sessions) and how a restore puts them
/// back: as Consul's FSM restore does, the tables take the archive's rows and table indexes as they were, in-memory
/// leader state (lock-delays) starts empty, every TTL session gets a fresh timer, and the Raft-like index moves past
/// both the current one and the archive's so later writes still go up.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>Gets the index of the KV table.</summary>
    public ulong KvTableIndex => _kvTableIndex;

    /// <summary>Gets the KV tombstones: deleted keys and the index of their deletion (prefix reads report them).</summary>
    public IReadOnlyDictionary<string, ulong> KvTombstones => _tombstones;

    /// <summary>Replaces the KV and session tables with a snapshot's. The caller holds <see cref="Sync"/> and publishes the change.</summary>
    public void RestoreTables(StoreTables tables)
    {
        ThrowIfDisposed();
        _kv.Clear();
        foreach (var entry in tables.Kv)
        {
            _kv[entry.Key] = entry;
        }

        _tombstones.Clear();
        foreach (var (key, index) in tables.KvTombstones)
        {
            _tombstones[key] = index;
        }

        _kvTableIndex = tables.KvTableIndex;
        _lockDelays.Clear();

        foreach (var (timer, _) in _sessionTimers.Values)
        {
            timer.Dispose();
        }

        _sessionTimers.Clear();
        _sessions.Clear();
        foreach (var session in tables.Sessions)
        {
            _sessions[session.Id] = session;
            ResetSessionTimer(session);
        }

        _sessionsTableIndex = tables.SessionsTableIndex;
        _index = Math.Max(_index, tables.Index) + 1;
    }
}
