// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Configuration from Consul KV: one layer per prefix (later prefixes win), each kept current by its own recursive
/// blocking query, all running concurrently. A change that alters the merged values fires the reload token once.
/// Reads only; never writes to Consul.
/// </summary>
internal sealed partial class ConsulKeyValueConfigurationProvider : ConfigurationProvider, IDisposable
{
    private static readonly TimeSpan InitialRetry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(60);

    private readonly KeyValueClient _client;
    private readonly KeyValueLayer[] _layers;
    private readonly ILogger _logger;
    private readonly bool _optional;
    private readonly TimeSpan _wait;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly KeyValueSnapshotFile? _snapshot;
    private DateTimeOffset _snapshotSavedAt;
    private Task[]? _watches;

    public ConsulKeyValueConfigurationProvider(
        KeyValueClient client, IReadOnlyList<string> prefixes, ILogger logger, bool optional, TimeSpan wait, TimeProvider timeProvider, KeyValueSnapshotFile? snapshot = null)
    {
        _snapshot = snapshot;
        client.Meter.CreateObservableGauge(
            "consul.config.snapshot.age", ObserveSnapshotAge, unit: "s", description: "Age of the snapshot values the configuration serves while Consul has not answered; absent once every prefix is live.");
        _client = client;
        _logger = logger;
        _layers = [.. prefixes.Select(p => new KeyValueLayer(p, logger, client.MalformedDocuments))];
        _optional = optional;
        _wait = wait;
        _timeProvider = timeProvider;
    }

    /// <summary>The source's loggers until the host's logging attaches (<see cref="KeyValueLoggingAttacher"/>); null when a test gave its own.</summary>
    internal DeferredLoggerFactory? Logging { get; init; }

    /// <summary>The app's <see cref="ConsulKeyValueConfigurationOptions.OnLoadException"/>.</summary>
    internal Action<ConsulKeyValueLoadExceptionContext>? OnLoadException { get; init; }

    /// <summary>The app's <see cref="ConsulKeyValueConfigurationOptions.OnWatchException"/>.</summary>
    internal Action<ConsulKeyValueWatchExceptionContext>? OnWatchException { get; init; }

    private Uri Address => _client.Api.Address;

    /// <summary>The meter of this source's own client: a test listens to it alone, not to every source in the process.</summary>
    internal Meter Meter => _client.Meter;

    public override void Load()
    {
        if (_watches is not null)
        {
            // IConfigurationRoot.Reload(): the watches already keep Data current.
            return;
        }

        // Blocking is the only way to keep IConfigurationProvider.Load's contract: it is synchronous (configuration has no
        // asynchronous load) and the values must be present when Build() returns. Task.Run keeps the wait off any
        // synchronization context, so it cannot deadlock on one. It is bounded: the prefixes are read concurrently, one
        // request each and no retry here (the watches retry later), and the client ends every request after the
        // section's Timeout (10 s by default), so Build() returns or throws within that.
#pragma warning disable VSTHRD002 // Synchronous by contract; see above.
        var indexes = Task.Run(ReadAllAsync).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        _watches = [.. _layers.Select((layer, i) => Task.Run(() => WatchAsync(layer, indexes[i], _stopping.Token)))];
    }

    /// <summary>Reads every prefix once, concurrently; returns the index each watch starts from (0 where the read failed).</summary>
    private async Task<ulong[]> ReadAllAsync()
    {
        var reads = _layers.Select(layer => _client.Api.ListKeysAsync(layer.Prefix, QueryOptions.Default, _stopping.Token)).ToArray();
        try
        {
            await Task.WhenAll(reads).ConfigureAwait(false);
        }
        catch (ConsulException)
        {
            // Inspected per prefix below.
        }

        var indexes = new ulong[_layers.Length];
        KeyValueSnapshot? saved = null;
        for (var i = 0; i < reads.Length; i++)
        {
            if (reads[i].Exception?.InnerException is ConsulException failure)
            {
                var prefix = _layers[i].Prefix;
                var context = new ConsulKeyValueLoadExceptionContext(prefix, failure);
                OnLoadException?.Invoke(context);
                saved ??= _snapshot?.Read();
                if (saved is not null && saved.Prefixes.TryGetValue(prefix, out var values))
                {
                    // Required or optional: the last good values stand in until Consul answers.
                    _snapshotSavedAt = saved.SavedAt;
                    _layers[i].Restore(values);
                    Log.StartedFromSnapshot(_logger, prefix, Address, _snapshot!.Path, SnapshotAge(), KeyValueMessages.Cause(prefix, failure), failure);
                    continue;
                }

                if (!_optional && !context.Ignore)
                {
                    throw new InvalidOperationException(KeyValueMessages.Failed(Address, prefix, failure) + KeyValueMessages.RequiredFix(_client.SectionPath), failure);
                }

                Log.StartedWithout(_logger, prefix, Address, KeyValueMessages.Cause(prefix, failure), failure);
                continue;
            }

            var result = await reads[i].ConfigureAwait(false);
            if (result.ResultsFilteredByAcls && !_optional)
            {
                throw new InvalidOperationException(KeyValueMessages.Hidden(Address, _layers[i].Prefix, result.Value.Count));
            }

            ReportFiltered(_layers[i].Prefix, result.ResultsFilteredByAcls, wasFiltered: false, result.Value.Count);
            Update(_layers[i], result.Value, notify: false);
            indexes[i] = result.NextIndex(0);
        }

        lock (_gate)
        {
            Data = Merge();
            SaveSnapshot();
        }

        return indexes;
    }

    private async Task WatchAsync(KeyValueLayer layer, ulong index, CancellationToken cancellationToken)
    {
        var attempt = 0;
        var filtered = false;
        var indexReset = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            QueryResult<IReadOnlyList<KVPair>> result;
            try
            {
                result = await _client.Api.ListKeysAsync(layer.Prefix, new QueryOptions { Index = index, Wait = _wait }, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Whatever failed (Consul's answer, the connection, a dropped request), the watch must outlive it.
                attempt++;

                // docs/consul-http-api.md §8/§17: after a failure, start again from index 0 (a restarted agent's index may be lower).
                index = 0;
                indexReset = true;
                var delay = RetryDelay(layer.Prefix, ex, attempt, JitteredBackoff.Delay(attempt, InitialRetry, MaxRetry, Random.Shared.NextDouble()));
                if (ex is ConsulException { StatusCode: System.Net.HttpStatusCode.Forbidden } denied)
                {
                    Log.ReadDenied(_logger, Address, layer.Prefix, denied.ResponseBody, delay, KeyValueMessages.ReadRule(layer.Prefix));
                }
                else
                {
                    Log.ReadFailed(_logger, layer.Prefix, Address, attempt, delay, ex);
                }

                if (!await DelayAsync(delay, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            attempt = 0;
            filtered = ReportFiltered(layer.Prefix, result.ResultsFilteredByAcls, filtered, result.Value.Count);

            // An index lower than the one waited on is a reset too (an agent restarted without its data answered first).
            indexReset |= result.LastIndex < index;
            Update(layer, result.Value, notify: true, indexReset);
            indexReset = false;
            index = result.NextIndex(index);
        }
    }

    /// <summary>The built-in backoff, or what the app's <see cref="OnWatchException"/> chose; a hook that throws leaves the built-in one.</summary>
    private TimeSpan RetryDelay(string prefix, Exception failure, int attempt, TimeSpan backoff)
    {
        if (OnWatchException is not { } hook)
        {
            return backoff;
        }

        var context = new ConsulKeyValueWatchExceptionContext(prefix, failure, attempt, backoff);
        try
        {
            hook(context);
            return context.RetryDelay;
        }
        catch (Exception ex)
        {
            Log.WatchHookFailed(_logger, prefix, ex);
            return backoff;
        }
    }

    private bool ReportFiltered(string prefix, bool filtered, bool wasFiltered, int readable)
    {
        if (filtered && !wasFiltered)
        {
            Log.KeysHidden(_logger, Address, prefix, KeyValueMessages.HiddenFix(prefix, readable));
        }

        return filtered;
    }

    private void Update(KeyValueLayer layer, IReadOnlyList<KVPair> pairs, bool notify, bool indexReset = false)
    {
        bool changed;
        lock (_gate)
        {
            var wasLive = layer.IsLive;
            changed = layer.Update(pairs, indexReset);
            if (changed)
            {
                Data = Merge();
                Log.Loaded(_logger, layer.Prefix, layer.Data.Count);
            }

            // The last prefix to go live after a start from the snapshot may bring no change, yet completes a fresh one.
            if (notify && (changed || !wasLive))
            {
                SaveSnapshot();
            }
        }

        if (changed && notify)
        {
            NotifyReload(layer.Prefix);
        }
    }

    /// <summary>
    /// Fires the reload token. Its callbacks run on this watch's thread: one that throws (the options binder refusing a
    /// value such as <c>Count=abc</c>) must not end the watch, or every later change would be lost. The token has already
    /// been renewed and every other callback has run (a cancellation runs them all and gathers their exceptions), so
    /// logging and counting is all that is left to do; the next change fires the new token.
    /// </summary>
    private void NotifyReload(string prefix)
    {
        try
        {
            OnReload();
        }
        catch (Exception ex)
        {
            Log.ReloadCallbackFailed(_logger, prefix, ex is AggregateException aggregate ? aggregate.Flatten() : ex);
            _client.ReloadErrors.Add(1);
        }
    }

    private Dictionary<string, string?> Merge()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var each in _layers)
        {
            foreach (var (key, value) in each.Data)
            {
                data[key] = value;
            }
        }

        return data;
    }

    /// <summary>Persists the values once every prefix is live (a partial snapshot would misstate its age); under <see cref="_gate"/>.</summary>
    private void SaveSnapshot()
    {
        if (_snapshot is null || !_layers.All(static l => l.IsLive))
        {
            return;
        }

        var snapshot = new KeyValueSnapshot { SavedAt = _timeProvider.GetUtcNow() };
        foreach (var layer in _layers)
        {
            snapshot.Prefixes[layer.Prefix] = new Dictionary<string, string?>(layer.Data, StringComparer.Ordinal);
        }

        _snapshot.Write(snapshot);
    }

    private TimeSpan SnapshotAge() => _timeProvider.GetUtcNow() - _snapshotSavedAt;

    private IEnumerable<Measurement<double>> ObserveSnapshotAge()
    {
        if (_layers.Any(static l => l.FromSnapshot))
        {
            yield return new Measurement<double>(SnapshotAge().TotalSeconds);
        }
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        _client.Dispose();
    }

    public override string ToString() => $"ConsulKeyValue {Address} [{string.Join(", ", _layers.Select(l => l.Prefix))}]";
}
