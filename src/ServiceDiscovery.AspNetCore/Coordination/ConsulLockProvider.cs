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

    public async Task<IConsulLockHandle> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken)
        => await TryAcquireAsync(key, timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"The Consul lock '{options.CurrentValue.KeyPrefix + key}' was not acquired within {timeout}.");

    public Task<IConsulLockHandle> AcquireAsync(string key, CancellationToken cancellationToken = default)
        => AcquireAsync(key, Timeout.InfiniteTimeSpan, cancellationToken);

    public Task<IConsulLockHandle?> TryAcquireAsync(string key, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        CheckTimeout(timeout);
        var settings = options.CurrentValue;
        var fullKey = settings.KeyPrefix + key;
        return AcquireCoreAsync(
            "lock",
            fullKey,
            timeout,
            settings,
            (lease, giveUp, ct) => KeyLockRecipe.AcquireAsync(kv, time, lease.Id, fullKey, HolderValue, giveUp, ct),
            (lease, ct) => KeyLockRecipe.WatchAsync(kv, time, lease, fullKey, ct),
            (lease, ct) => kv.ReleaseKeyAsync(fullKey, HolderValue, lease.Id, ct),
            cancellationToken);
    }

    public async Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout, CancellationToken cancellationToken)
        => await TryAcquireSemaphoreAsync(prefix, limit, timeout, cancellationToken).ConfigureAwait(false)
            ?? throw new TimeoutException($"No slot of the Consul semaphore '{(options.CurrentValue.KeyPrefix + prefix).TrimEnd('/')}' was acquired within {timeout}.");

    public Task<IConsulLockHandle> AcquireSemaphoreAsync(string prefix, int limit, CancellationToken cancellationToken = default)
        => AcquireSemaphoreAsync(prefix, limit, Timeout.InfiniteTimeSpan, cancellationToken);

    public Task<IConsulLockHandle?> TryAcquireSemaphoreAsync(string prefix, int limit, TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        CheckTimeout(timeout);
        var settings = options.CurrentValue;
        var fullPrefix = (settings.KeyPrefix + prefix).TrimEnd('/');
        return AcquireCoreAsync(
            "semaphore",
            fullPrefix,
            timeout,
            settings,
            (lease, giveUp, ct) => SemaphoreRecipe.AcquireAsync(kv, lease.Id, fullPrefix, limit, HolderValue, giveUp, ct),
            (lease, ct) => SemaphoreRecipe.WatchAsync(kv, time, lease, fullPrefix, limit, ct),
            (lease, ct) => SemaphoreRecipe.ReleaseAsync(kv, lease.Id, fullPrefix, limit, ct),
            cancellationToken);
    }

    private static void CheckTimeout(TimeSpan timeout)
    {
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be zero or more (zero: one attempt), or Timeout.InfiniteTimeSpan to wait until cancelled.");
        }
    }

    /// <summary>
    /// Creates a session and runs the recipe until it holds, the timeout passes (<see langword="null"/>) or the caller
    /// cancels. The timeout bounds the waiting, not the first attempt: a zero timeout still tries once.
    /// </summary>
    private async Task<IConsulLockHandle?> AcquireCoreAsync(
        string kind,
        string key,
        TimeSpan timeout,
        ConsulSessionOptions settings,
        Func<SessionLease, CancellationToken, CancellationToken, Task<ulong?>> acquire,
        Func<SessionLease, CancellationToken, Task> watch,
        Func<SessionLease, CancellationToken, Task> release,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        using var deadline = new CancellationTokenSource(timeout, time);
        try
        {
            while (true)
            {
                var lease = await SessionLease.CreateAsync(sessions, time, logger, settings, key, cancellationToken).ConfigureAwait(false);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.LostToken);
                ulong? fencingToken;
                try
                {
                    fencingToken = await acquire(lease, deadline.Token, attempt.Token).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                    if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested && !deadline.IsCancellationRequested)
                    {
                        continue; // The lease was lost while waiting: start over with a new session.
                    }

                    if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                    {
                        fencingToken = null; // The lease was lost as the timeout passed: not acquired.
                    }
                    else
                    {
                        throw;
                    }
                }

                if (fencingToken is not { } token)
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                    metrics.Acquire(kind, "timeout", time.GetElapsedTime(started));
                    Log.NotAcquired(logger, key, time.GetElapsedTime(started));
                    return null;
                }

                metrics.Acquire(kind, "acquired", time.GetElapsedTime(started));
                Log.Acquired(logger, key, lease.Id, token, time.GetElapsedTime(started));
                return new ConsulLockHandle(key, token, lease, watch, ct => release(lease, ct), time, logger);
            }
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
