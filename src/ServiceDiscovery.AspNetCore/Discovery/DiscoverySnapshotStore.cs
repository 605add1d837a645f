// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// The fail-static snapshot (<c>Consul:Discovery:SnapshotPath</c>): keeps the last answers Consul confirmed in a file,
/// and hands a name's saved instances to its watch when Consul cannot be reached before the first answer.
/// </summary>
/// <remarks>
/// <para>Watches call <see cref="Record"/> when they publish a fresh answer: one dictionary write, never I/O, so a
/// lookup is never held up. A timer writes the file at most once per <see cref="Debounce"/>, and only when something
/// was recorded (a burst of changes is one write), on the thread pool. Every <c>SnapshotMaxAge</c> / 4 the names still
/// fresh are recorded again, so a service that never changes does not age out of the file while Consul keeps
/// confirming it.</para>
/// <para>The file also keeps names this process has not looked up (yet) until they are older than <c>SnapshotMaxAge</c>.</para>
/// </remarks>
internal sealed partial class DiscoverySnapshotStore : IDisposable
{
    /// <summary>The shortest time between two writes: a burst of changes inside it is one write.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromSeconds(1);

    /// <summary>How long a failing write stays quiet in the logs after it was reported.</summary>
    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromMinutes(10);

    private readonly DiscoverySnapshotFile _file;
    private readonly TimeSpan _maxAge;
    private readonly string _maxAgeKey;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<IEnumerable<ServiceWatch>> _watches;
    private readonly ConcurrentDictionary<string, Pending> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _reportedTooOld = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ITimer _debounce;
    private readonly ITimer _refresh;
    private Dictionary<string, DiscoverySnapshotEntry>? _entries;
    private int _scheduled;
    private long? _failureLoggedAt;
    private bool _disposed;

    public DiscoverySnapshotStore(string path, TimeSpan maxAge, TimeProvider timeProvider, ILogger logger, Func<IEnumerable<ServiceWatch>> watches, string maxAgeKey)
    {
        _file = new DiscoverySnapshotFile(path, logger);
        _maxAge = maxAge;
        _maxAgeKey = maxAgeKey;
        _timeProvider = timeProvider;
        _logger = logger;
        _watches = watches;
        _debounce = timeProvider.CreateTimer(static state => ((DiscoverySnapshotStore)state!).OnDebounce(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var refresh = maxAge / 4;
        _refresh = timeProvider.CreateTimer(static state => ((DiscoverySnapshotStore)state!).RecordFreshWatches(), this, refresh, refresh);
    }

    public string Path => _file.Path;

    /// <summary>
    /// Whether a failure of the first query of a name lets the snapshot answer: Consul (or the way to it) is down or
    /// overloaded. Not for answers that say the request itself is wrong or refused (403 ACL, 404, 400, a bad filter):
    /// those need fixing, and serving old instances would hide them.
    /// </summary>
    public static bool Qualifies(Exception exception) => exception is ConsulException consul && consul.Reason switch
    {
        ConsulErrorReason.ConnectionFailed or ConsulErrorReason.Timeout => true,
        ConsulErrorReason.ApiError => consul.StatusCode is { } status && ((int)status == 429 || ((int)status >= 500 && !IsBadFilter(consul.ResponseBody))),
        _ => false,
    };

    /// <summary>A fresh answer was published for a name: save it with the next write.</summary>
    public void Record(ConsulServiceInstances instances, string query)
    {
        _pending[instances.ServiceName] = new Pending(instances, query, _timeProvider.GetUtcNow());
        if (Interlocked.Exchange(ref _scheduled, 1) == 0)
        {
            try
            {
                _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // Disposing: the final flush writes what is pending.
            }
        }
    }

    /// <summary>
    /// The saved instances of <paramref name="serviceName"/> for <paramref name="query"/>, unless none were saved, they
    /// answer other settings, or they are older than <c>SnapshotMaxAge</c> (logged once per name).
    /// </summary>
    public bool TryGet(string serviceName, string query, out SavedInstances saved)
    {
        saved = default;
        DiscoverySnapshotEntry? entry;
        lock (_gate)
        {
            if (!Load().TryGetValue(serviceName, out entry) || !string.Equals(entry.Query, query, StringComparison.Ordinal))
            {
                return false;
            }
        }

        var age = Age(entry.SavedAt);
        if (age > _maxAge)
        {
            if (_reportedTooOld.TryAdd(serviceName, 0))
            {
                Log.TooOld(_logger, serviceName, _file.Path, age, _maxAge, _maxAgeKey);
            }

            return false;
        }

        if (_file.ToInstances(serviceName, entry) is not { } instances)
        {
            return false;
        }

        saved = new SavedInstances(instances, entry.Index, entry.SavedAt, age);
        return true;
    }

    /// <summary>Stops the timers and writes what is still pending.</summary>
    public void Dispose()
    {
        _debounce.Dispose();
        _refresh.Dispose();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            WriteLocked();
        }
    }

    private TimeSpan Age(DateTimeOffset savedAt)
    {
        var age = _timeProvider.GetUtcNow() - savedAt;
        return age < TimeSpan.Zero ? TimeSpan.Zero : age;
    }

    private static bool IsBadFilter(string? body) =>
        body?.StartsWith("Failed to create boolean expression evaluator", StringComparison.Ordinal) == true;

    private void OnDebounce()
    {
        Volatile.Write(ref _scheduled, 0);
        lock (_gate)
        {
            if (!_disposed)
            {
                WriteLocked();
            }
        }
    }

    private void RecordFreshWatches()
    {
        foreach (var watch in _watches())
        {
            if (watch.Current is { IsStale: false } current && watch.FailStatic is { IsStandingIn: false } failStatic)
            {
                Record(current, failStatic.QueryKey);
            }
        }
    }

    private Dictionary<string, DiscoverySnapshotEntry> Load() =>
        _entries ??= _file.Read()?.Services is { } services ? new(services, StringComparer.Ordinal) : new(StringComparer.Ordinal);

    private void WriteLocked()
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var entries = Load();
        foreach (var name in _pending.Keys)
        {
            if (_pending.TryRemove(name, out var pending))
            {
                entries[name] = DiscoverySnapshotFile.ToEntry(pending.Instances, pending.Query, pending.RecordedAt);
                _reportedTooOld.TryRemove(name, out _);
            }
        }

        foreach (var (name, entry) in entries)
        {
            if (Age(entry.SavedAt) > _maxAge)
            {
                entries.Remove(name);
            }
        }

        var document = new DiscoverySnapshotDocument { Version = DiscoverySnapshotDocument.CurrentVersion, Services = entries };
        if (_file.Write(document) is { } failure)
        {
            var now = _timeProvider.GetTimestamp();
            if (_failureLoggedAt is not { } logged || _timeProvider.GetElapsedTime(logged, now) >= FailureLogInterval)
            {
                _failureLoggedAt = now;
                Log.WriteFailed(_logger, _file.Path, FailureLogInterval, failure);
            }
        }
        else if (_failureLoggedAt is not null)
        {
            _failureLoggedAt = null;
            Log.WriteRecovered(_logger, _file.Path);
        }
    }

    private readonly record struct Pending(ConsulServiceInstances Instances, string Query, DateTimeOffset RecordedAt);

    /// <summary>A name's instances as the file saved them.</summary>
    public readonly record struct SavedInstances(ConsulServiceInstance[] Instances, ulong Index, DateTimeOffset SavedAt, TimeSpan Age);
}
