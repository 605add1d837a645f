// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// Consul's semaphore recipe (docs/consul-http-api.md §19). Each contender locks its own key
/// <c>{prefix}/{session}</c> with its session; the <c>{prefix}/.lock</c> key holds the limit and the holders. A
/// contender takes a slot by adding its session to the holders with a check-and-set write, after dropping holders
/// whose contender key no longer has a session (dead instances). Every change is a blocking read away.
/// </summary>
internal static class SemaphoreRecipe
{
    public const string LockKeyName = ".lock";
    private static readonly TimeSpan BlockingWait = TimeSpan.FromMinutes(1);

    public static string LockKey(string prefix) => prefix + "/" + LockKeyName;

    public static string ContenderKey(string prefix, string sessionId) => prefix + "/" + sessionId;

    /// <summary>
    /// Returns the fencing token (the <c>ModifyIndex</c> of the session's contender key, written when it contended) once
    /// the session holds a slot, or <see langword="null"/> when <paramref name="giveUp"/> fires while waiting (after at
    /// least one attempt).
    /// </summary>
    /// <exception cref="InvalidOperationException">Live holders use another limit, or the <c>.lock</c> key cannot be read.</exception>
    public static async Task<ulong?> AcquireAsync(IConsulKeyValueApi kv, string sessionId, string prefix, int limit, ReadOnlyMemory<byte> value, CancellationToken giveUp, CancellationToken cancellationToken)
    {
        var contenderKey = ContenderKey(prefix, sessionId);
        if (!await kv.AcquireKeyAsync(contenderKey, value, sessionId, cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Consul refused session {sessionId} its own contender key '{contenderKey}'.");
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(giveUp, cancellationToken);
        ulong index = 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entries = await kv.ListKeysAsync(prefix + "/", new QueryOptions { Index = index, Wait = BlockingWait }, index == 0 ? cancellationToken : waiting.Token).ConfigureAwait(false);
                var contender = entries.Value.FirstOrDefault(e => e.Key == contenderKey);
                if (contender?.Session != sessionId)
                {
                    throw new OperationCanceledException($"The contender key '{contenderKey}' lost its session while waiting.");
                }

                var (lockPair, state) = Read(prefix, entries.Value, limit, adoptLimitWithoutHolders: true);
                if (state.Holders.ContainsKey(sessionId))
                {
                    return contender.ModifyIndex;
                }

                if (state.Holders.Count < state.Limit)
                {
                    state.Holders[sessionId] = true;
                    if (await WriteAsync(kv, prefix, state, lockPair, cancellationToken).ConfigureAwait(false))
                    {
                        return contender.ModifyIndex;
                    }

                    index = 0; // Another contender wrote first: read again at once.
                    continue;
                }

                waiting.Token.ThrowIfCancellationRequested();
                index = entries.NextIndex(index);
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Watches the semaphore until the session's slot or contender key is gone, then loses the lease.</summary>
    public static async Task WatchAsync(IConsulKeyValueApi kv, TimeProvider time, SessionLease lease, string prefix, int limit, CancellationToken cancellationToken)
    {
        ulong index = 0;
        try
        {
            while (true)
            {
                QueryResult<IReadOnlyList<KVPair>> entries;
                try
                {
                    entries = await kv.ListKeysAsync(prefix + "/", new QueryOptions { Index = index, Wait = BlockingWait }, cancellationToken).ConfigureAwait(false);
                }
                catch (ConsulException)
                {
                    await Task.Delay(KeyLockRecipe.ErrorRetry, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                var contender = entries.Value.FirstOrDefault(e => e.Key == ContenderKey(prefix, lease.Id));
                Dictionary<string, bool> holders;
                try
                {
                    holders = Read(prefix, entries.Value, limit).State.Holders;
                }
                catch (SemaphoreStateException)
                {
                    // Someone rewrote .lock: nothing there vouches for the slot any more.
                    lease.Lose("the semaphore's .lock key was rewritten with another limit or out of the recipe's shape");
                    return;
                }

                if (contender?.Session != lease.Id || !holders.ContainsKey(lease.Id))
                {
                    lease.Lose("the semaphore slot is no longer held by the session");
                    return;
                }

                index = entries.NextIndex(index);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Released or lost.
        }
    }

    /// <summary>
    /// Gives the slot up: removes the session from the holders (check-and-set, retried on conflict) and deletes its
    /// contender key. A <c>.lock</c> key someone rewrote out of shape is left alone: without its contender key, the
    /// session counts as a dead holder to every reader.
    /// </summary>
    public static async Task ReleaseAsync(IConsulKeyValueApi kv, string sessionId, string prefix, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            var entries = await kv.ListKeysAsync(prefix + "/", QueryOptions.Default, cancellationToken).ConfigureAwait(false);
            KVPair? lockPair;
            SemaphoreState state;
            try
            {
                (lockPair, state) = Read(prefix, entries.Value, limit);
            }
            catch (SemaphoreStateException)
            {
                break;
            }

            if (!state.Holders.Remove(sessionId) || await WriteAsync(kv, prefix, state, lockPair, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }

        await kv.DeleteKeyAsync(ContenderKey(prefix, sessionId), recurse: false, cas: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>.lock</c> entry and its state with dead holders (contender key without a session) dropped.</summary>
    /// <exception cref="SemaphoreStateException">The <c>.lock</c> key is not the recipe's JSON, or has another limit.</exception>
    private static (KVPair? LockPair, SemaphoreState State) Read(string prefix, IReadOnlyList<KVPair> entries, int limit, bool adoptLimitWithoutHolders = false)
    {
        var lockKey = LockKey(prefix);
        var lockPair = entries.FirstOrDefault(e => e.Key == lockKey);
        SemaphoreState? state;
        try
        {
            state = lockPair?.Value is { Length: > 0 } body
                ? JsonSerializer.Deserialize(body, CoordinationJsonContext.Default.SemaphoreState)
                : new SemaphoreState { Limit = limit };
        }
        catch (JsonException ex)
        {
            throw OutOfShape(ex.Message, ex);
        }

        // A null body or "Holders": null parse without error but record no holders anyone could trust.
        if (state?.Holders is null)
        {
            throw OutOfShape("it records no Holders.", inner: null);
        }

        var live = entries.Where(e => e.Key != lockKey && !string.IsNullOrEmpty(e.Session)).Select(e => e.Session!).ToHashSet(StringComparer.Ordinal);
        foreach (var holder in state.Holders.Keys.Where(h => !live.Contains(h)).ToList())
        {
            state.Holders.Remove(holder);
        }

        if (state.Limit != limit)
        {
            // As in Consul's recipe, the limit is the live holders' agreement: with none left, a contender may set a new
            // one (its check-and-set write records it); while any holds a slot, theirs stands.
            if (adoptLimitWithoutHolders && state.Holders.Count == 0)
            {
                state.Limit = limit;
            }
            else
            {
                throw new SemaphoreStateException(
                    $"The Consul semaphore '{prefix}' has limit {state.Limit} in '{lockKey}', held by {state.Holders.Count} live session(s); this caller asked for {limit}. "
                    + $"Every user of a semaphore must ask for the same limit: ask for {state.Limit}, or change the limit everywhere and it takes effect once every current holder has released.");
            }
        }

        return (lockPair, state);

        SemaphoreStateException OutOfShape(string problem, Exception? inner) => new(
            $"The Consul semaphore '{prefix}' has a '{lockKey}' key that is not the recipe's JSON ({{\"Limit\": {limit}, \"Holders\": {{...}}}}): {problem} Delete the key or write it in that shape.",
            inner);
    }

    private static Task<bool> WriteAsync(IConsulKeyValueApi kv, string prefix, SemaphoreState state, KVPair? lockPair, CancellationToken cancellationToken)
        => kv.PutKeyAsync(LockKey(prefix), JsonSerializer.SerializeToUtf8Bytes(state, CoordinationJsonContext.Default.SemaphoreState), lockPair?.ModifyIndex ?? 0, flags: null, cancellationToken);
}

/// <summary>A semaphore's <c>.lock</c> key this caller cannot use: not the recipe's JSON, or another limit.</summary>
internal sealed class SemaphoreStateException : InvalidOperationException
{
    public SemaphoreStateException(string message)
        : base(message)
    {
    }

    public SemaphoreStateException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
