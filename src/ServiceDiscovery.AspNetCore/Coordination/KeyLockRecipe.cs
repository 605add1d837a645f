// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// Consul's lock recipe on one key (docs/consul-http-api.md §19): <c>?acquire=</c> with the session; while another
/// session holds the key, a blocking read waits for it to change; a free key that still refuses the session is in
/// its lock-delay, retried every <see cref="LockDelayRetry"/>. While held, a blocking read watches the key and loses
/// the lease the moment the key shows another session or none. The fencing token is the <c>ModifyIndex</c> the
/// acquisition gave the key: a Raft index, so every later acquisition of the key (by anyone, even after the key was
/// deleted and created again) has a greater one, unlike <c>LockIndex</c>, which starts again at 1 on a new key.
/// </summary>
internal static class KeyLockRecipe
{
    /// <summary>How often a key in lock-delay is tried again.</summary>
    public static readonly TimeSpan LockDelayRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a read waits after a failed one, while the lease's step-down deadline guards the holder.</summary>
    public static readonly TimeSpan ErrorRetry = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan BlockingWait = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Returns the fencing token (the key's <c>ModifyIndex</c> as written by the acquisition) once the session holds
    /// <paramref name="key"/>, or <see langword="null"/> when <paramref name="giveUp"/> fires while waiting: at least one
    /// attempt is made first, so a cancelled <paramref name="giveUp"/> means "try once". Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.
    /// </summary>
    public static async Task<ulong?> AcquireAsync(IConsulKeyValueApi kv, TimeProvider time, string sessionId, string key, ReadOnlyMemory<byte> value, CancellationToken giveUp, CancellationToken cancellationToken)
    {
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(giveUp, cancellationToken);
        ulong index = 0;
        var refusedWhileFree = false;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await kv.AcquireKeyAsync(key, value, sessionId, cancellationToken).ConfigureAwait(false))
                {
                    // Read back what the acquisition wrote: its ModifyIndex is the fencing token. A key already showing
                    // another holder was taken away in between: wait for it like any held key.
                    var held = await kv.GetKeyAsync(key, QueryOptions.Default, cancellationToken).ConfigureAwait(false);
                    if (held.Value?.Session == sessionId)
                    {
                        return held.Value.ModifyIndex;
                    }

                    index = 0;
                    continue;
                }

                waiting.Token.ThrowIfCancellationRequested();
                var current = await kv.GetKeyAsync(key, new QueryOptions { Index = index, Wait = BlockingWait }, waiting.Token).ConfigureAwait(false);
                if (string.IsNullOrEmpty(current.Value?.Session))
                {
                    // Free, yet refused: the first time, the holder may have released between the two calls (try again at
                    // once); again, the key is in its lock-delay after a holder's session died. A blocking read would not
                    // see the lock-delay end (the key does not change), so poll without blocking.
                    if (refusedWhileFree)
                    {
                        await Task.Delay(LockDelayRetry, time, waiting.Token).ConfigureAwait(false);
                    }

                    refusedWhileFree = true;
                    index = 0;
                    continue;
                }

                refusedWhileFree = false;
                index = current.NextIndex(index);
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>Watches the held key until it shows another session (or none), then loses the lease.</summary>
    public static async Task WatchAsync(IConsulKeyValueApi kv, TimeProvider time, SessionLease lease, string key, CancellationToken cancellationToken)
    {
        ulong index = 0;
        try
        {
            while (true)
            {
                Consul.QueryResult<Consul.Models.KVPair?> current;
                try
                {
                    current = await kv.GetKeyAsync(key, new QueryOptions { Index = index, Wait = BlockingWait }, cancellationToken).ConfigureAwait(false);
                }
                catch (ConsulException)
                {
                    await Task.Delay(ErrorRetry, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (current.Value?.Session != lease.Id)
                {
                    lease.Lose(current.Value is null ? "the key was deleted" : "the key is no longer held by the session");
                    return;
                }

                index = current.NextIndex(index);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Released or lost.
        }
    }
}
