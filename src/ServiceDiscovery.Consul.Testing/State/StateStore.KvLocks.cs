// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// KV locks (state/kvs.go <c>kvsLockTxn</c>/<c>kvsUnlockTxn</c>, kvs_endpoint.go lock-delay): a session acquires a
/// key it does not hold only when no other session holds it and the key's lock-delay has passed.
/// </summary>
internal sealed partial class StateStore
{
    private readonly Dictionary<string, DateTimeOffset> _lockDelays = new(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="key"/> is inside a lock-delay started by an invalidated session.</summary>
    public bool InLockDelay(string key) =>
        _lockDelays.TryGetValue(key, out var until) && until > Time.GetUtcNow();

    /// <summary>PUT <c>?acquire=</c>: false during lock-delay or when another session holds the key; an unknown session is an error.</summary>
    public bool KvLock(string key, byte[] value, ulong? flags, string session, out string? error)
    {
        bool locked;
        lock (Sync)
        {
            ThrowIfDisposed();
            locked = KvLockCore(key, value, flags, session, checkLockDelay: true, out error);
        }

        if (locked)
        {
            Changes.Publish();
        }

        return locked;
    }

    /// <summary>PUT <c>?release=</c>: writes the value and clears the holder, only for the holding session.</summary>
    public bool KvUnlock(string key, byte[] value, ulong? flags, string session, out string? error)
    {
        bool unlocked;
        lock (Sync)
        {
            ThrowIfDisposed();
            unlocked = KvUnlockCore(key, value, flags, session, out error);
        }

        if (unlocked)
        {
            Changes.Publish();
        }

        return unlocked;
    }

    /// <summary>The lock write; the caller holds <see cref="Sync"/> and publishes.</summary>
    private bool KvLockCore(string key, byte[] value, ulong? flags, string session, bool checkLockDelay, out string? error)
    {
        error = null;

        // The leader refuses during lock-delay before the state store looks at the session (kvsPreApply).
        if (checkLockDelay && InLockDelay(key))
        {
            return false;
        }

        if (session.Length == 0)
        {
            error = "missing session";
            return false;
        }

        if (!_sessions.TryGetValue(session, out var holder))
        {
            error = $"invalid session \"{session}\"";
            return false;
        }

        _kv.TryGetValue(key, out var existing);
        ulong lockIndex;
        if (existing is null)
        {
            lockIndex = 1;
        }
        else if (string.Equals(existing.Session, holder.Id, StringComparison.OrdinalIgnoreCase))
        {
            lockIndex = existing.LockIndex;
        }
        else if (existing.Session.Length > 0)
        {
            return false;
        }
        else
        {
            lockIndex = existing.LockIndex + 1;
        }

        var entry = new KvEntry(key, value, flags ?? 0, 0, 0, lockIndex, session);
        if (existing is null || !existing.SameContent(entry))
        {
            KvWrite(entry, WriteIndex());
        }

        return true;
    }

    /// <summary>The unlock write; the caller holds <see cref="Sync"/> and publishes.</summary>
    private bool KvUnlockCore(string key, byte[] value, ulong? flags, string session, out string? error)
    {
        error = null;
        if (session.Length == 0)
        {
            error = "missing session";
            return false;
        }

        if (!_kv.TryGetValue(key, out var existing) || existing.Session != session)
        {
            return false;
        }

        var entry = new KvEntry(key, value, flags ?? 0, 0, 0, existing.LockIndex);
        if (!existing.SameContent(entry))
        {
            KvWrite(entry, WriteIndex());
        }

        return true;
    }
}
