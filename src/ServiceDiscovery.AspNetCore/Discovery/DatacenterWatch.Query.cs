// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>One of the datacenter watch's two blocking-query loops, with the same index rules and etiquette as a per-name watch.</summary>
internal sealed partial class DatacenterWatch
{
    private delegate void AnswerHandler<in T>(T value, ref Dictionary<string, ulong>? prints);

    private async Task RunQueryAsync<T>(
        string endpoint,
        Func<QueryOptions, CancellationToken, Task<QueryResult<T>>> fetch,
        AnswerHandler<T> onAnswer,
        TaskCompletionSource baseline,
        CancellationToken stopping)
    {
        Dictionary<string, ulong>? prints = null;
        ulong index = 0;
        var failures = 0;
        var delay = TimeSpan.Zero;
        var bucket = new TokenBucket(_timeProvider, TokenBucket.WatchBurst, _options.MinimumQueryInterval);
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
                    await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
                }

                var started = _timeProvider.GetTimestamp();
                bool advanced;
                try
                {
                    var options = new QueryOptions
                    {
                        Index = index,
                        Wait = ServiceWatch.JitteredWait(_options.WaitTime, _random()),
                        Consistency = _options.Consistency,
                    };
                    var result = await fetch(options, stopping).ConfigureAwait(false);
                    var next = result.NextIndex(index);
                    if (next == 0)
                    {
                        Log.IndexWentBackwards(_logger, endpoint, index, result.LastIndex);
                    }

                    advanced = index == 0 || result.LastIndex > index;
                    if (advanced || prints is null)
                    {
                        onAnswer(result.Value, ref prints);
                    }

                    index = next;
                    if (failures > 0)
                    {
                        Log.QueryRecovered(_logger, endpoint, failures);
                        OnQueryRecovered();
                    }

                    failures = 0;
                    baseline.TrySetResult();
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // Any failure must not end the watch: keep last-known-good and retry.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    failures++;
                    if (failures == 1)
                    {
                        Log.QueryFailed(_logger, endpoint, _health.Address, ServiceWatch.ErrorType(ex), _fed.Count, ex);
                        OnQueryFailed();
                    }

                    index = 0;
                    delay = JitteredBackoff.Delay(failures, _options.RetryDelay, _options.MaxRetryDelay, _random());
                    continue;
                }

                delay = advanced ? TimeSpan.Zero : _options.MinimumQueryInterval - _timeProvider.GetElapsedTime(started);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed during a delay.
        }
    }

    private void OnQueryFailed()
    {
        if (Interlocked.Increment(ref _failingQueries) == 1)
        {
            foreach (var watch in _fed.Values)
            {
                watch.MarkStale();
            }
        }
    }

    private void OnQueryRecovered()
    {
        // The answer that recovered has been compared with the last one before the outage: changed names are queued.
        // The others are current again.
        if (Interlocked.Decrement(ref _failingQueries) == 0)
        {
            foreach (var (name, watch) in _fed)
            {
                if (!_pending.ContainsKey(name))
                {
                    watch.MarkFresh();
                }
            }
        }
    }
}
