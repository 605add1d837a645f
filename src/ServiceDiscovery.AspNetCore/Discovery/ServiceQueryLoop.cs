// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Per-service mode: one name's own loop of blocking queries on <c>/v1/health/service/{name}</c>, paced by
/// <see cref="BlockingQueryPacing"/> (index rules, minimum interval, token bucket, backoff). What Consul says goes to
/// the <see cref="IWatchSink"/>; while the first fetch keeps failing, a lookup may cut a retry delay short.
/// </summary>
internal sealed partial class ServiceQueryLoop : IDisposable
{
    private readonly DiscoveryQuery _query;
    private readonly DiscoveryWatchContext _context;
    private readonly InstanceSnapshotGuard _guard;
    private readonly IWatchSink _sink;
    private readonly CancellationTokenSource _stopping = new();
    private volatile TaskCompletionSource _wake = NewWake();
    private Activity? _firstCaller;
    private Task _task = Task.CompletedTask;

    /// <param name="query">What the name asks Consul for.</param>
    /// <param name="context">The client, settings, time and jitter source.</param>
    /// <param name="guard">Cuts the blocking wait to the rest of a void grace period.</param>
    /// <param name="sink">Receives every answer and failure.</param>
    public ServiceQueryLoop(DiscoveryQuery query, DiscoveryWatchContext context, InstanceSnapshotGuard guard, IWatchSink sink)
    {
        _query = query;
        _context = context;
        _guard = guard;
        _sink = sink;
    }

    /// <summary>
    /// Starts the loop. Only its first query, which <paramref name="caller"/> waits for, joins that caller's trace.
    /// </summary>
    public void Start(Activity? caller)
    {
        _firstCaller = caller;
        var token = _stopping.Token;

        // The loop outlives the lookup that started it: do not let it inherit that caller's context (its Activity
        // would otherwise parent every blocking query for the life of the watch).
        using (ExecutionContext.SuppressFlow())
        {
            _task = Task.Run(() => RunAsync(token));
        }
    }

    /// <summary>
    /// Cuts a retry delay short, though never to less than <see cref="ConsulDiscoveryCacheOptions.MinimumQueryInterval"/>
    /// after the previous attempt (a lookup wants the name now).
    /// </summary>
    public void Wake() => _wake.TrySetResult();

    /// <summary>
    /// Stops the loop and waits for it to end. Cancellation is requested before this first yields.
    /// </summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await WaitAsync().ConfigureAwait(false);
    }

    /// <summary>Waits for the loop to end (it ends only once stopped).</summary>
    public async Task WaitAsync()
    {
#pragma warning disable VSTHRD003 // The loop is ours, running on the thread pool: no synchronization context to deadlock on.
        await _task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
#pragma warning restore VSTHRD003
    }

    /// <summary>Releases the stop signal; call only once <see cref="StopAsync"/> completed, or on a loop never started.</summary>
    public void Dispose() => _stopping.Dispose();

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync(CancellationToken stopping)
    {
        var pacing = new BlockingQueryPacing(_context.TimeProvider, _context.Options, _context.Random);
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var delay = pacing.NextDelay();
                if (delay > TimeSpan.Zero)
                {
                    await DelayAsync(delay, started: pacing.LastSent, stopping).ConfigureAwait(false);
                }

                _wake = NewWake();
                _sink.OnAttempt();
                pacing.Sending();
                try
                {
                    var result = await QueryAsync(pacing, stopping).ConfigureAwait(false);
                    if (pacing.WentBackwards(result.LastIndex))
                    {
                        Log.IndexWentBackwards(_context.Logger, _query.ServiceName, pacing.Index, result.LastIndex);
                    }

                    _sink.OnAclFiltering(result.ResultsFilteredByAcls);
                    _sink.OnAnswer(result.Value, result.LastIndex, pacing.Failures);
                    pacing.Answered(result.LastIndex);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // Any failure (Consul's or a bug's) must not end the watch: keep last-known-good and retry.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    pacing.Failed();
                    _sink.OnFailure(ex, pacing.Failures);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped (or handed over) during a delay.
        }
    }

    /// <summary>
    /// Waits <paramref name="delay"/>, or less when <see cref="Wake"/> is called, but never less than the minimum query
    /// interval since the attempt that started at <paramref name="started"/>.
    /// </summary>
    private async Task DelayAsync(TimeSpan delay, long started, CancellationToken stopping)
    {
        var time = _context.TimeProvider;
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var sleeping = Task.Delay(delay, time, cut.Token);
        var woken = await Task.WhenAny(sleeping, _wake.Task).ConfigureAwait(false);
        if (woken == sleeping)
        {
            await sleeping.ConfigureAwait(false);
            return;
        }

        await cut.CancelAsync().ConfigureAwait(false);
        await sleeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var floor = _context.Options.MinimumQueryInterval - time.GetElapsedTime(started);
        if (floor > TimeSpan.Zero)
        {
            await Task.Delay(floor, time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One query. The first runs under the Activity of the lookup that started the watch, so its span is a child of
    /// that caller's; every later query (the blocking ones, which outlive any caller) has none.
    /// </summary>
    private Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryAsync(BlockingQueryPacing pacing, CancellationToken stopping)
    {
        var caller = Interlocked.Exchange(ref _firstCaller, null);
        return caller is null ? QueryHealthAsync(pacing, stopping) : QueryInTraceAsync(caller, pacing, stopping);
    }

    private Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryHealthAsync(BlockingQueryPacing pacing, CancellationToken stopping)
    {
        var wait = pacing.Jitter(_guard.Wait(_context.Options.WaitTime));
        return _context.Client.GetHealthServiceAsync(_query.ServiceName, _query.HealthQuery, _query.ToQueryOptions(pacing.Index, wait), stopping);
    }

    /// <remarks>
    /// <see cref="Activity.Current"/> is set inside an async method of its own: the change is undone when it returns, so
    /// the loop goes on without a parent.
    /// </remarks>
    private async Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryInTraceAsync(Activity caller, BlockingQueryPacing pacing, CancellationToken stopping)
    {
        Activity.Current = caller;
        return await QueryHealthAsync(pacing, stopping).ConfigureAwait(false);
    }

    // Discovery owns event ids 3000-3099.
    private static partial class Log
    {
        [LoggerMessage(3008, LogLevel.Information, "Consul's index for service '{ServiceName}' went backwards ({RequestedIndex} to {ReturnedIndex}), e.g. after an agent restart; reading it again from the start.", EventName = "DiscoveryIndexReset")]
        public static partial void IndexWentBackwards(ILogger logger, string serviceName, ulong requestedIndex, ulong returnedIndex);
    }
}
