// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// KV transactions (state/txn.go <c>txnKVS</c>, consul/txn_endpoint.go <c>preCheck</c>): every write of one
/// transaction takes the same index; any failed operation rolls the KV table back, and all errors are reported.
/// </summary>
internal sealed partial class StateStore
{
    private ulong _txnIndex;

    /// <summary>Runs <paramref name="ops"/> atomically. <paramref name="precheck"/> may refuse an operation (ACLs) before anything runs.</summary>
    public TxnOutcome Txn(IReadOnlyList<TxnKvOperation> ops, Func<int, TxnKvOperation, string?> precheck)
    {
        TxnOutcome outcome;
        var committed = false;
        lock (Sync)
        {
            ThrowIfDisposed();
            var refused = Precheck(ops, precheck);
            if (refused.Count > 0)
            {
                return new TxnOutcome(null, refused);
            }

            var kv = _kv.ToList();
            var tombstones = _tombstones.ToList();
            var kvTableIndex = _kvTableIndex;
            _txnIndex = _index + 1;
            var results = new List<KvEntry>();
            var errors = new List<TxnError>();
            try
            {
                for (var i = 0; i < ops.Count; i++)
                {
                    if (TxnKv(ops[i], results) is { } error)
                    {
                        errors.Add(new TxnError(i, error));
                    }
                }
            }
            finally
            {
                if (errors.Count > 0)
                {
                    Restore(_kv, kv);
                    Restore(_tombstones, tombstones);
                    _kvTableIndex = kvTableIndex;
                }
                else if (_kvTableIndex == _txnIndex)
                {
                    _index = _txnIndex;
                    committed = true;
                }

                _txnIndex = 0;
            }

            outcome = errors.Count > 0 ? new TxnOutcome(null, errors) : new TxnOutcome(results, null);
        }

        if (committed)
        {
            Changes.Publish();
        }

        return outcome;
    }

    /// <summary>The index for a write: the transaction's one index inside <see cref="Txn"/>, else the next one.</summary>
    private ulong WriteIndex() => _txnIndex != 0 ? _txnIndex : NextIndex();

    private static void Restore<T>(IDictionary<string, T> table, List<KeyValuePair<string, T>> saved)
    {
        table.Clear();
        foreach (var (key, value) in saved)
        {
            table[key] = value;
        }
    }

    /// <summary>kvsPreApply per operation: a key is required (but for delete-tree), lock-delay refuses a lock, then ACLs.</summary>
    private List<TxnError> Precheck(IReadOnlyList<TxnKvOperation> ops, Func<int, TxnKvOperation, string?> precheck)
    {
        var errors = new List<TxnError>();
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            var error = op.Unsupported is not null ? null
                : op.Key.Length == 0 && op.Verb != "delete-tree" ? "Must provide key"
                : precheck(i, op) is { } denied ? denied
                : op.Verb == "lock" && InLockDelay(op.Key) ? $"failed to lock key {GoQuote(op.Key)} due to lock delay"
                : null;
            if (error is not null)
            {
                errors.Add(new TxnError(i, error));
            }
        }

        return errors;
    }

    /// <summary>One KV verb; returns its error text, adding its results (values blanked but for get, get-or-empty and get-tree).</summary>
    private string? TxnKv(TxnKvOperation op, List<KvEntry> results)
    {
        if (op.Unsupported is not null)
        {
            return op.Unsupported;
        }

        var key = op.Key;
        var q = GoQuote(key);
        _kv.TryGetValue(key, out var existing);
        KvEntry? entry = null;
        string? error = null;
        switch (op.Verb)
        {
            case "set":
                entry = KvSetCore(key, op.Value ?? [], op.Flags, cas: null);
                break;
            case "cas":
                entry = KvSetCore(key, op.Value ?? [], op.Flags, op.Index);
                error = entry is null ? $"failed to set key {q}, index is stale" : null;
                break;
            case "lock":
                error = KvLockCore(key, op.Value ?? [], op.Flags, op.Session, checkLockDelay: false, out var lockError)
                    ? null : lockError ?? $"failed to lock key {q}, lock is already held";
                entry = error is null ? _kv[key] : null;
                break;
            case "unlock":
                error = KvUnlockCore(key, op.Value ?? [], op.Flags, op.Session, out var unlockError)
                    ? null : unlockError ?? $"failed to unlock key {q}, lock isn't held, or is held by another session";
                entry = error is null ? _kv[key] : null;
                break;
            case "get":
                error = existing is null ? $"key {q} doesn't exist" : null;
                results.AddRange(existing is null ? [] : [existing]);
                return error;
            case "get-or-empty":
                results.Add(existing ?? new KvEntry(key, [], op.Flags, 0, op.Index, 0, op.Session));
                return null;
            case "get-tree":
                results.AddRange(KvList(key));
                return null;
            case "check-index":
                error = existing is null ? $"failed to check index, key {q} doesn't exist"
                    : existing.ModifyIndex != op.Index ? $"failed index check for key {q}, current modify index {existing.ModifyIndex} != {op.Index}"
                    : null;
                entry = existing;
                break;
            case "check-session":
                error = existing is null ? $"failed to check session, key {q} doesn't exist"
                    : existing.Session != op.Session ? $"failed session check for key {q}, current session {GoQuote(existing.Session)} != {GoQuote(op.Session)}"
                    : null;
                entry = existing;
                break;
            case "check-not-exists":
                return existing is not null ? $"key {q} exists" : null;
            case "delete":
                KvDeleteCore(key, recurse: false, cas: null);
                return null;
            case "delete-tree":
                KvDeleteCore(key, recurse: true, cas: null);
                return null;
            case "delete-cas":
                return KvDeleteCore(key, recurse: false, op.Index) ? null : $"failed to delete key {q}, index is stale";
            default:
                return $"unknown KV verb {GoQuote(op.Verb)}";
        }

        if (error is null && entry is not null)
        {
            results.Add(entry with { Value = [] });
        }

        return error;
    }

    private static string GoQuote(string value) => Json.GoQuote.Quote(value);
}
