// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// What lookups see of one watched name: the current <see cref="ConsulServiceInstances"/> (a volatile read, no lock),
/// whose change token fires when a newer one replaces it, and before the first one, the task lookups wait on, failed
/// when an attempt fails so that they do not hang through the retry delay.
/// </summary>
/// <remarks>
/// Publishing is serialized by the caller (the watch's lock); reading is not. A publish does not fire the replaced
/// token: the caller takes the replaced tokens with <see cref="TakeReplaced"/> under its lock and fires them with
/// <see cref="Fire(List{CancellationTokenSource}?)"/> after releasing it, so consumers' change callbacks never run under
/// the watch's lock (a callback that waits for another thread which needs that lock would otherwise deadlock, as
/// Microsoft.Extensions.ServiceDiscovery 10.0's watcher did with its own lock).
/// </remarks>
#pragma warning disable CA1001 // The change sources own no timer; their tokens go to consumers, who may still register on them after the watch is gone.
internal sealed partial class PublishedSnapshot
#pragma warning restore CA1001
{
    private readonly string _serviceName;
    private readonly DiscoveryMetrics _metrics;
    private readonly ILogger _logger;
    private volatile ConsulServiceInstances? _current;
    private volatile TaskCompletionSource<ConsulServiceInstances> _first = NewFirst();
    private CancellationTokenSource _changeSource = new();
    private List<CancellationTokenSource>? _replaced;

    public PublishedSnapshot(string serviceName, DiscoveryMetrics metrics, ILogger logger)
    {
        _serviceName = serviceName;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The latest snapshot; <see langword="null"/> until the first one is published.</summary>
    public ConsulServiceInstances? Current => _current;

    /// <summary>The first snapshot, or the failure of the last attempt while none was published.</summary>
    public Task<ConsulServiceInstances> First => _first.Task;

    /// <summary>
    /// Swaps in the snapshot <paramref name="create"/> makes with a fresh change token; the previous token is kept for
    /// <see cref="TakeReplaced"/>. Also completes <see cref="First"/> and keeps the stale-watches gauge in step.
    /// </summary>
    public ConsulServiceInstances Publish(Func<IChangeToken, ConsulServiceInstances> create)
    {
        var source = new CancellationTokenSource();
        var snapshot = create(new CancellationChangeToken(source.Token));
        var previous = _changeSource;
        var wasStale = _current is { IsStale: true };
        _changeSource = source;
        _current = snapshot;
        if (snapshot.IsStale != wasStale)
        {
            _metrics.StaleChanged(snapshot.IsStale);
        }

        _first.TrySetResult(snapshot);
        (_replaced ??= []).Add(previous);
        return snapshot;
    }

    /// <summary>The tokens replaced since the last call, to fire once the caller's lock is released.</summary>
    public List<CancellationTokenSource>? TakeReplaced()
    {
        var replaced = _replaced;
        _replaced = null;
        return replaced;
    }

    /// <summary>Fires tokens taken with <see cref="TakeReplaced"/>; call without holding the watch's lock.</summary>
    public void Fire(List<CancellationTokenSource>? replaced)
    {
        if (replaced is null)
        {
            return;
        }

        foreach (var source in replaced)
        {
            Fire(source);
        }
    }

    /// <summary>
    /// A read of the name is about to be sent: when it retries a failed first fetch, lookups from now on wait for it.
    /// </summary>
    public void OnAttempt()
    {
        if (_current is null && _first.Task.IsCompleted)
        {
            _first = NewFirst();
        }
    }

    /// <summary>
    /// When the first fetch failed, makes later lookups wait for the next attempt instead. Returns whether this call did
    /// (only one caller per failed attempt does: that one may hurry the attempt).
    /// </summary>
    public bool RenewFailedFirst()
    {
        var first = _first;
        return first.Task.IsFaulted && Interlocked.CompareExchange(ref _first, NewFirst(), first) == first;
    }

    /// <summary>Fails the lookups waiting for the first snapshot, if none was published.</summary>
    public void FailFirst(Exception exception)
    {
        var first = _first;
        if (first.TrySetException(exception))
        {
            // Nobody may be waiting: mark it observed so it never surfaces as an unobserved task exception.
            _ = first.Task.Exception;
        }
    }

    /// <summary>Fires the current change token (the name is no longer watched): holders of the list look it up again.</summary>
    public void NotifyConsumers() => Fire(_changeSource);

    private static TaskCompletionSource<ConsulServiceInstances> NewFirst() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Fire(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (AggregateException ex)
        {
            // A consumer's change callback threw: that is theirs to fix, and must not stop the watch.
            Log.ChangeCallbackFailed(_logger, _serviceName, ex);
        }
    }

    // Discovery owns event ids 3000-3099.
    private static partial class Log
    {
        [LoggerMessage(3009, LogLevel.Warning, "A change callback for Consul service '{ServiceName}' threw.", EventName = "DiscoveryChangeCallbackFailed")]
        public static partial void ChangeCallbackFailed(ILogger logger, string serviceName, Exception exception);
    }
}
