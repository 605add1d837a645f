// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>Per-service mode: the watch's own loop of blocking queries on <c>/v1/health/service/{name}</c>.</summary>
internal sealed partial class ServiceWatch
{
    /// <summary>
    /// Stops the watch's own loop and leaves the name to the datacenter watch, keeping the cached answer (lookups
    /// never see a gap). Returns <see langword="false"/> when the watch is stopped or already fed.
    /// </summary>
    public async Task<bool> HandOverAsync()
    {
        CancellationTokenSource? loopStopping;
        lock (_gate)
        {
            if (IsFed || IsStopped || !_started)
            {
                return false;
            }

            IsFed = true;
            loopStopping = _loopStopping;
        }

        if (loopStopping is not null)
        {
            await loopStopping.CancelAsync().ConfigureAwait(false);
        }

        await WaitForLoopAsync().ConfigureAwait(false);
        return !IsStopped;
    }

    private void StartLoop()
    {
        _loopStopping = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var token = _loopStopping.Token;

        // The loop outlives the lookup that started it: do not let it inherit that caller's context (its Activity
        // would otherwise parent every blocking query for the life of the watch).
        using (ExecutionContext.SuppressFlow())
        {
            _loop = Task.Run(() => RunAsync(token));
        }
    }

    private async Task WaitForLoopAsync()
    {
#pragma warning disable VSTHRD003 // The loop is ours, running on the thread pool: no synchronization context to deadlock on.
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        ulong index = 0;
        var failures = 0;
        var delay = TimeSpan.Zero;

        // Consul's etiquette for blocking queries: a small burst, then at most one query per MinimumQueryInterval, so
        // an index that keeps moving (or going backwards, or to zero) cannot drive a hot loop.
        var bucket = new TokenBucket(_timeProvider, TokenBucket.WatchBurst, _options.MinimumQueryInterval);
        var lastAttempt = _timeProvider.GetTimestamp();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var throttle = bucket.Take();
                if (throttle > delay)
                {
                    delay = throttle;
                }

                if (delay > TimeSpan.Zero)
                {
                    await DelayAsync(delay, started: lastAttempt, stopping).ConfigureAwait(false);
                }

                _wake = NewWake();

                if (_current is null && _firstResult.Task.IsCompleted)
                {
                    // A retry of a failed first fetch: lookups from now on wait for this attempt.
                    _firstResult = NewFirstResult();
                }

                var started = _timeProvider.GetTimestamp();
                lastAttempt = started;
                bool advanced;
                try
                {
                    var result = await QueryAsync(index, stopping).ConfigureAwait(false);

                    var next = result.NextIndex(index);
                    if (next == 0)
                    {
                        Log.IndexWentBackwards(_logger, ServiceName, index, result.LastIndex);
                    }

                    advanced = index == 0 || result.LastIndex > index;
                    OnAnswer(result.Value, result.LastIndex, failures);
                    failures = 0;
                    index = next;
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // Any failure (Consul's or a bug's) must not end the watch: keep last-known-good and retry.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    OnFailure(ex, failures);

                    // Re-read without blocking once Consul answers again: recovery (and staleness clearing) is then
                    // immediate instead of waiting for the next change.
                    index = 0;
                    delay = JitteredBackoff.Delay(failures, _options.RetryDelay, _options.MaxRetryDelay, _random());
                    continue;
                }

                delay = advanced ? TimeSpan.Zero : _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(started);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped (or handed over) during a delay.
        }
    }

    /// <summary>
    /// Waits <paramref name="delay"/>, or less when a lookup wakes the loop, but never less than the minimum query
    /// interval since the attempt that started at <paramref name="started"/>.
    /// </summary>
    private async Task DelayAsync(TimeSpan delay, long started, CancellationToken stopping)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sleeping = Task.Delay(delay, _timeProvider, cut.Token);
        var woken = await Task.WhenAny(sleeping, _wake.Task).ConfigureAwait(false);
        if (woken == sleeping)
        {
            await sleeping.ConfigureAwait(false);
            return;
        }

        await cut.CancelAsync().ConfigureAwait(false);
        await sleeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var floor = _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(started);
        if (floor > TimeSpan.Zero)
        {
            await Task.Delay(floor, _timeProvider, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The <c>wait</c> to send: up to 1/16 shorter than configured (<paramref name="random"/> in [0, 1]; 1 sends it
    /// unchanged), so watches started together do not all return at the same moment.
    /// </summary>
    internal static TimeSpan JitteredWait(TimeSpan wait, double random) => wait - (wait / 16 * (1 - Math.Clamp(random, 0, 1)));
}
