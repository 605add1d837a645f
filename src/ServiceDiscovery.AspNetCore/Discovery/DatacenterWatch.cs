// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Datacenter mode (docs/scale.md): two blocking queries keep every fed <see cref="ServiceWatch"/> fresh, whatever
/// the number of names. <c>/v1/health/state/any</c> (the checks table) tells which names' checks changed;
/// <c>/v1/catalog/services</c> (the services table) which names appeared, disappeared or changed tags. Only those
/// names are re-read, without blocking, by at most <see cref="DiscoveryConnectionBudget.RefreshConcurrency"/>
/// workers, so the connections used stay within <see cref="ConsulDiscoveryCacheOptions.MaxConnections"/>.
/// </summary>
/// <remarks>
/// The state answer has no row for a service without checks: such a name changes only the services table. When that
/// index moves and no tags changed, the watched names without checks are re-read. A name read before both queries
/// first answered is read again once they have, so no change between its read and the first comparison is missed;
/// names are read at once all the same, so a lookup never waits for the datacenter-wide answers (or hangs while
/// Consul is down).
/// <para>
/// A re-read can see a state newer than the last answer the next one is compared with (its index is higher). If the
/// name then changes back before the next answer (a check failing and passing again, maintenance on and off), the next
/// answer equals the last one and no comparison shows the change: the name would keep the re-read's state. So a name
/// read ahead of the answers is read once more after the next answer, whatever the comparison says.
/// </para>
/// </remarks>
internal sealed partial class DatacenterWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, ServiceWatch> _fed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _readAhead = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly TaskCompletionSource _checksBaseline = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _catalogBaseline = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly IConsulHealthApi _health;
    private readonly IConsulCatalogApi _catalog;
    private readonly ConsulDiscoveryCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<double> _random;
    private readonly Lock _gate = new();
    private readonly List<string> _readBeforeBaseline = [];
    private Task[] _tasks = [];
    private bool _baselineReady;
    private volatile IReadOnlySet<string> _namesWithChecks = new HashSet<string>();
    private int _failingQueries;
    private int _outstanding;
    private long _answeredIndex;
    private long _answers;

    public DatacenterWatch(DiscoveryWatchContext context, IConsulCatalogApi catalog)
    {
        _health = context.Client;
        _catalog = catalog;
        _options = context.Options;
        _timeProvider = context.TimeProvider;
        _logger = context.Logger;
        _random = context.Random;
    }

    /// <summary>Keeps <paramref name="watch"/> fresh from now on (it must be started as fed, or handed over); reads it once.</summary>
    public void Add(ServiceWatch watch)
    {
        _fed[watch.ServiceName] = watch;
        EnsureStarted();
        Enqueue(watch.ServiceName);
    }

    /// <summary>
    /// Both datacenter queries have answered and every name queued so far has been read (tests wait for this before
    /// counting the reads a change causes).
    /// </summary>
    internal bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _baselineReady && _readBeforeBaseline.Count == 0 && Volatile.Read(ref _outstanding) == 0;
            }
        }
    }

    /// <summary>Whether <paramref name="serviceName"/> is still refreshed from here (tests wait for an eviction to finish).</summary>
    internal bool Feeds(string serviceName) => _fed.ContainsKey(serviceName);

    /// <summary>Stops refreshing <paramref name="watch"/> (evicted or disposed).</summary>
    public void Remove(ServiceWatch watch) => _fed.TryRemove(new KeyValuePair<string, ServiceWatch>(watch.ServiceName, watch));

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private void EnsureStarted()
    {
        lock (_gate)
        {
            if (_tasks.Length > 0 || _stopping.IsCancellationRequested)
            {
                return;
            }

            var token = _stopping.Token;
            var tasks = new List<Task>();
            using (ExecutionContext.SuppressFlow())
            {
                tasks.Add(Task.Run(() => RunQueryAsync("/v1/health/state/any", (options, ct) => _health.GetHealthStateDigestAsync("any", options, ct), OnChecks, _checksBaseline, token)));
                tasks.Add(Task.Run(() => RunQueryAsync("/v1/catalog/services", (options, ct) => _catalog.GetCatalogServicesDigestAsync(options, ct), OnCatalog, _catalogBaseline, token)));
                for (var i = 0; i < DiscoveryConnectionBudget.RefreshConcurrency(_options); i++)
                {
                    tasks.Add(Task.Run(() => RefreshWorkerAsync(token)));
                }
            }

            _tasks = [.. tasks];
            _ = Task.WhenAll(_checksBaseline.Task, _catalogBaseline.Task).ContinueWith(
                static (_, state) => ((DatacenterWatch)state!).OnBaseline(), this, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    private void OnBaseline()
    {
        string[] early;
        lock (_gate)
        {
            _baselineReady = true;
            early = [.. _readBeforeBaseline];
            _readBeforeBaseline.Clear();
        }

        foreach (var name in early)
        {
            Enqueue(name);
        }
    }

    private void Enqueue(string name)
    {
        if (_fed.ContainsKey(name) && _pending.TryAdd(name, 0))
        {
            Interlocked.Increment(ref _outstanding);
            _queue.Writer.TryWrite(name);
        }
    }

    private async Task RefreshWorkerAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var name in _queue.Reader.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                _pending.TryRemove(name, out _);
                try
                {
                    await RefreshAsync(name, stopping).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _outstanding);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task RefreshAsync(string name, CancellationToken stopping)
    {
        if (!_fed.TryGetValue(name, out var watch))
        {
            return;
        }

        var beforeBaseline = !Volatile.Read(ref _baselineReady);
        var (answersBefore, answeredBefore) = (Interlocked.Read(ref _answers), Volatile.Read(ref _answeredIndex));
        if (!await watch.Fed.RefreshAsync(stopping).ConfigureAwait(false))
        {
            _ = RetryLaterAsync(watch, stopping);
        }
        else if (beforeBaseline)
        {
            ReadAgainAfterBaseline(name);
        }
        else if (watch.Fed.LastIndex > (ulong)answeredBefore)
        {
            ReadAgainAfterNextAnswer(name, answersBefore);
        }

        if (Volatile.Read(ref _failingQueries) > 0)
        {
            // Read fine, but later changes cannot be seen until the datacenter queries recover.
            watch.MarkStale();

            // They may have recovered between the check and the mark, after marking the names fresh: a name left stale
            // then would stay so until it next changes.
            if (Volatile.Read(ref _failingQueries) == 0 && !_pending.ContainsKey(name))
            {
                watch.MarkFresh();
            }
        }
    }

    private void ReadAgainAfterBaseline(string name)
    {
        lock (_gate)
        {
            if (!_baselineReady)
            {
                _readBeforeBaseline.Add(name);
                return;
            }
        }

        Enqueue(name);
    }

    /// <summary>The read saw a state newer than the answers compared so far: read the name again after the next one.</summary>
    private void ReadAgainAfterNextAnswer(string name, long answersBefore)
    {
        _readAhead.TryAdd(name, 0);

        // An answer that came during the read may have drained the set before the name was added: read again now.
        if (Interlocked.Read(ref _answers) != answersBefore && _readAhead.TryRemove(name, out _))
        {
            Enqueue(name);
        }
    }

    /// <summary>Called after an answer was compared: records its index, then re-reads the names read ahead of it.</summary>
    private void OnAnswered(ulong index)
    {
        long seen;
        do
        {
            seen = Volatile.Read(ref _answeredIndex);
        }
        while ((long)index > seen && Interlocked.CompareExchange(ref _answeredIndex, (long)index, seen) != seen);

        Interlocked.Increment(ref _answers);
        foreach (var name in _readAhead.Keys)
        {
            if (_readAhead.TryRemove(name, out _))
            {
                Enqueue(name);
            }
        }
    }

    private async Task RetryLaterAsync(ServiceWatch watch, CancellationToken stopping)
    {
        try
        {
            var delay = JitteredBackoff.Delay(watch.Fed.Failures, _options.RetryDelay, _options.MaxRetryDelay, _random());
            await Task.Delay(delay, _timeProvider, stopping).ConfigureAwait(false);
            Enqueue(watch.ServiceName);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void OnChecks(Dictionary<string, ulong> next, ref Dictionary<string, ulong>? prints)
    {
        if (prints is not null)
        {
            DatacenterFingerprints.Diff(prints, next, Enqueue);
        }

        _namesWithChecks = next.Keys.ToHashSet(StringComparer.Ordinal);
        prints = next;
    }

    private void OnCatalog(Dictionary<string, ulong> next, ref Dictionary<string, ulong>? prints)
    {
        if (prints is not null)
        {
            DatacenterFingerprints.Diff(prints, next, Enqueue);

            // The services table moved: an instance of some name may have been added or removed with the same tags,
            // which no fingerprint shows. Names with checks are covered by the checks table; re-read the others. This
            // holds even when other names changed visibly: one answer can carry several writes.
            var withChecks = _namesWithChecks;
            foreach (var name in _fed.Keys)
            {
                if (!withChecks.Contains(name))
                {
                    Enqueue(name);
                }
            }
        }

        prints = next;
    }
}
