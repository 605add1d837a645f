// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// Consul's lock recipe on one key (docs/consul-http-api.md §19): <c>?acquire=</c> with the session; while another
/// session holds the key, a blocking read waits for it to change; a free key that still refuses the session is in
/// its lock-delay, retried every <see cref="LockDelayRetry"/>. While held, a blocking read watches the key and loses
/// the lease the moment the key shows another session or none.
/// </summary>
internal static class KeyLockRecipe
{
    /// <summary>How often a key in lock-delay is tried again.</summary>
    public static readonly TimeSpan LockDelayRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a read waits after a failed one, while the lease's step-down deadline guards the holder.</summary>
    public static readonly TimeSpan ErrorRetry = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan BlockingWait = TimeSpan.FromMinutes(1);

    /// <summary>Returns once the session holds <paramref name="key"/>; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    public static async Task AcquireAsync(IConsulKeyValueApi kv, TimeProvider time, string sessionId, string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        ulong index = 0;
        var refusedWhileFree = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await kv.AcquireKeyAsync(key, value, sessionId, cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            var current = await kv.GetKeyAsync(key, new QueryOptions { Index = index, Wait = BlockingWait }, cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(current.Value?.Session))
            {
                // Free, yet refused: the first time, the holder may have released between the two calls (try again at
                // once); again, the key is in its lock-delay after a holder's session died. A blocking read would not
                // see the lock-delay end (the key does not change), so poll without blocking.
                if (refusedWhileFree)
                {
                    await Task.Delay(LockDelayRetry, time, cancellationToken).ConfigureAwait(false);
                }

                refusedWhileFree = true;
                index = 0;
                continue;
            }

            refusedWhileFree = false;
            index = current.NextIndex(index);
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
