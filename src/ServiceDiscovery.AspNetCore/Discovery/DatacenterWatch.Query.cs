// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>One of the datacenter watch's two blocking-query loops, paced as a per-name loop is (<see cref="BlockingQueryPacing"/>).</summary>
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
        var pacing = new BlockingQueryPacing(_timeProvider, _options, _random);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var delay = pacing.NextDelay();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
                }

                pacing.Sending();
                try
                {
                    var options = new QueryOptions
                    {
                        Index = pacing.Index,
                        Wait = pacing.Jitter(_options.WaitTime),
                        Consistency = _options.Consistency,
                    };
                    var result = await fetch(options, stopping).ConfigureAwait(false);
                    if (pacing.WentBackwards(result.LastIndex))
                    {
                        Log.IndexWentBackwards(_logger, endpoint, pacing.Index, result.LastIndex);
                    }

                    if (pacing.Advances(result.LastIndex) || prints is null)
                    {
                        onAnswer(result.Value, ref prints);
                        OnAnswered(result.LastIndex);
                    }

                    if (pacing.Failures > 0)
                    {
                        Log.QueryRecovered(_logger, endpoint, pacing.Failures);
                        OnQueryRecovered();
                    }

                    pacing.Answered(result.LastIndex);
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
                    pacing.Failed();
                    if (pacing.Failures == 1)
                    {
                        Log.QueryFailed(_logger, endpoint, _health.Address, WatchFailure.ErrorType(ex), _fed.Count, ex);
                        OnQueryFailed();
                    }
                }
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
