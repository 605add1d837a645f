// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The KV table of the datacenter state store (state/kvs.go): entries, tombstones for prefix indexes, and the table index.</summary>
internal sealed partial class StateStore
{
    private readonly SortedDictionary<string, KvEntry> _kv = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _tombstones = new(StringComparer.Ordinal);
    private ulong _kvTableIndex;

    public IReadOnlyDictionary<string, KvEntry> KeyValues => _kv;

    /// <summary>Index for a single-key read: the entry's ModifyIndex, else the KV table index (kvs_endpoint.go <c>Get</c>).</summary>
    public ulong KvGetIndex(string key) => _kv.TryGetValue(key, out var entry) ? entry.ModifyIndex : _kvTableIndex;

    /// <summary>Index for a prefix read: the highest ModifyIndex or tombstone under it, else the table index.</summary>
    public ulong KvListIndex(string prefix)
    {
        if (prefix.Length == 0)
        {
            return _kvTableIndex;
        }

        ulong index = 0;
        foreach (var entry in KvList(prefix))
        {
            index = Math.Max(index, entry.ModifyIndex);
        }

        foreach (var (key, deleted) in _tombstones)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                index = Math.Max(index, deleted);
            }
        }

        return index != 0 ? index : _kvTableIndex;
    }

    /// <summary>Stores <paramref name="entry"/> at <paramref name="index"/>, keeping an existing CreateIndex. The caller holds <see cref="Sync"/>.</summary>
    private void KvWrite(KvEntry entry, ulong index)
    {
        var createIndex = _kv.TryGetValue(entry.Key, out var existing) ? existing.CreateIndex : index;
        _kv[entry.Key] = entry with { CreateIndex = createIndex, ModifyIndex = index };
        _tombstones.Remove(entry.Key);
        _kvTableIndex = index;
    }

    public IEnumerable<KvEntry> KvList(string prefix) =>
        _kv.Values.Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>PUT: stores the value; with <paramref name="cas"/> only if the entry's ModifyIndex matches (0: only if absent).</summary>
    public bool KvPut(string key, byte[] value, ulong? flags, ulong? cas)
    {
        lock (Sync)
        {
            ThrowIfDisposed();
            if (KvSetCore(key, value, flags, cas) is null)
            {
                return false;
            }
        }

        Changes.Publish();
        return true;
    }

    /// <summary>The set/cas write (kvsSetTxn, kvsSetCASTxn): returns the stored entry, or null when the CAS fails. The caller holds <see cref="Sync"/>.</summary>
    private KvEntry? KvSetCore(string key, byte[] value, ulong? flags, ulong? cas)
    {
        _kv.TryGetValue(key, out var existing);
        if (cas is { } expected && (expected == 0 ? existing is not null : existing?.ModifyIndex != expected))
        {
            return null;
        }

        // A PUT without ?flags stores 0: Consul writes the whole DirEnt, keeping the lock holder (kvsSetTxn).
        var entry = new KvEntry(key, value, flags ?? 0, 0, 0, existing?.LockIndex ?? 0, existing?.Session ?? string.Empty);
        if (existing is not null && existing.SameContent(entry))
        {
            return existing;
        }

        KvWrite(entry, WriteIndex());
        return _kv[key];
    }

    /// <summary>DELETE: one key, or every key under a prefix; with <paramref name="cas"/> only if the index matches (0 never deletes).</summary>
    public bool KvDelete(string key, bool recurse, ulong? cas)
    {
        bool ok;
        lock (Sync)
        {
            ThrowIfDisposed();
            ok = KvDeleteCore(key, recurse, cas);
        }

        Changes.Publish();
        return ok;
    }

    /// <summary>The delete write (kvsDeleteTxn, kvsDeleteCASTxn, kvsDeleteTreeTxn) leaving tombstones. The caller holds <see cref="Sync"/>.</summary>
    private bool KvDeleteCore(string key, bool recurse, ulong? cas)
    {
        if (cas is { } expected)
        {
            // kvsDeleteCASTxn: a missing key counts as deleted; otherwise the index must match (never 0).
            if (!_kv.TryGetValue(key, out var existing))
            {
                return true;
            }

            if (existing.ModifyIndex != expected)
            {
                return false;
            }
        }

        var keys = recurse ? KvList(key).Select(e => e.Key).ToList() : _kv.ContainsKey(key) ? [key] : [];
        if (keys.Count == 0)
        {
            return true;
        }

        var index = WriteIndex();
        foreach (var k in keys)
        {
            _kv.Remove(k);
            _tombstones[k] = index;
        }

        _kvTableIndex = index;
        return true;
    }
}
