// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// <see cref="IConsulLockProvider"/>: one session per held lock or slot (its own TTL, renewal and step-down
/// deadline), the recipes of <see cref="KeyLockRecipe"/> and <see cref="SemaphoreRecipe"/>, and a handle that
/// releases on dispose. A lease lost while waiting is replaced by a new one.
/// </summary>
internal sealed partial class ConsulLockProvider(
    IConsulSessionApi sessions,
    IConsulKeyValueApi kv,
    IOptionsMonitor<ConsulLockOptions> options,
    TimeProvider time,
    CoordinationMetrics metrics,
    ILogger<ConsulLockProvider> logger) : IConsulLockProvider
{
    private static readonly byte[] HolderValue = Encoding.UTF8.GetBytes(Environment.MachineName + ":" + Environment.ProcessId);

    public Task<IConsulLockHandle> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var settings = options.CurrentValue;
        var fullKey = settings.KeyPrefix + key;
        return AcquireCoreAsync(
            "lock",
            fullKey,
            timeout,
            settings,
            (lease, ct) => KeyLockRecipe.AcquireAsync(kv, time, lease.Id, fullKey, HolderValue, ct),
            (lease, ct) => KeyLockRecipe.WatchAsync(kv, time, lease, fullKey, ct),
            (lease, ct) => kv.ReleaseKeyAsync(fullKey, HolderValue, lease.Id, ct),
            cancellationToken);
    }

    public Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var settings = options.CurrentValue;
        var fullPrefix = (settings.KeyPrefix + prefix).TrimEnd('/');
        return AcquireCoreAsync(
            "semaphore",
            fullPrefix,
            timeout,
            settings,
            (lease, ct) => SemaphoreRecipe.AcquireAsync(kv, lease.Id, fullPrefix, limit, HolderValue, ct),
            (lease, ct) => SemaphoreRecipe.WatchAsync(kv, time, lease, fullPrefix, limit, ct),
            (lease, ct) => SemaphoreRecipe.ReleaseAsync(kv, lease.Id, fullPrefix, limit, ct),
            cancellationToken);
    }

    private async Task<IConsulLockHandle> AcquireCoreAsync(
        string kind,
        string key,
        TimeSpan timeout,
        ConsulSessionOptions settings,
        Func<SessionLease, CancellationToken, Task> acquire,
        Func<SessionLease, CancellationToken, Task> watch,
        Func<SessionLease, CancellationToken, Task> release,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            while (true)
            {
                var lease = await SessionLease.CreateAsync(sessions, time, logger, settings, key, wait.Token).ConfigureAwait(false);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(wait.Token, lease.LostToken);
                try
                {
                    await acquire(lease, attempt.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                    if (ex is OperationCanceledException && !wait.IsCancellationRequested)
                    {
                        continue; // The lease was lost while waiting: start over with a new session.
                    }

                    throw;
                }

                metrics.Acquire(kind, "acquired", time.GetElapsedTime(started));
                Log.Acquired(logger, key, lease.Id, time.GetElapsedTime(started));
                return new ConsulLockHandle(key, lease, watch, ct => release(lease, ct), time, logger);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            metrics.Acquire(kind, "timeout", time.GetElapsedTime(started));
            throw new TimeoutException($"The Consul {kind} '{key}' was not acquired within {timeout}.");
        }
        catch (OperationCanceledException)
        {
            metrics.Acquire(kind, "canceled", time.GetElapsedTime(started));
            throw;
        }
        catch (Exception)
        {
            metrics.Acquire(kind, "error", time.GetElapsedTime(started));
            throw;
        }
    }
}
