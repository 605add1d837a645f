// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// The KV source's logging before the host's exists. A configuration source is built before the host's logging, so its
/// loggers hold what they log (Information and above, the newest <see cref="Capacity"/> entries) until
/// <see cref="Attach"/> hands them the host's <see cref="ILoggerFactory"/>; then they replay what they held, in order,
/// and write through from there on. Attaching happens when the host starts (docs/configuration.md).
/// </summary>
internal sealed partial class DeferredLoggerFactory : ILoggerFactory
{
    /// <summary>How many entries are held before the host attaches; older ones are dropped and counted.</summary>
    public const int Capacity = 256;

    private readonly Lock _gate = new();
    private readonly Queue<(string Category, Action<ILogger> Write)> _held = new();
    private ILoggerFactory? _target;
    private int _dropped;

    /// <summary>Hands the loggers the host's factory and replays what they held. Later calls are ignored.</summary>
    public void Attach(ILoggerFactory target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (_gate)
        {
            if (_target is not null)
            {
                return;
            }

            while (_held.TryDequeue(out var entry))
            {
                entry.Write(target.CreateLogger(entry.Category));
            }

            if (_dropped > 0)
            {
                LogDropped(target.CreateLogger(typeof(DeferredLoggerFactory).FullName!), _dropped);
            }

            Volatile.Write(ref _target, target);
        }
    }

    public ILogger CreateLogger(string categoryName) => new DeferredLogger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The KV source's loggers take the host's logging when it starts.");

    public void Dispose()
    {
    }

    private bool TryHold(string category, Action<ILogger> write)
    {
        lock (_gate)
        {
            if (_target is not null)
            {
                return false;
            }

            if (_held.Count == Capacity)
            {
                _held.Dequeue();
                _dropped++;
            }

            _held.Enqueue((category, write));
            return true;
        }
    }

    private sealed class DeferredLogger(DeferredLoggerFactory owner, string category) : ILogger
    {
        private ILogger? _target;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => Target()?.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => Target() is { } target ? target.IsEnabled(logLevel) : logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Target() is { } target)
            {
                target.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            if (logLevel < LogLevel.Information
                || owner.TryHold(category, logger => logger.Log(logLevel, eventId, state, exception, formatter)))
            {
                return;
            }

            // Attached between the check and the hold.
            Target()!.Log(logLevel, eventId, state, exception, formatter);
        }

        private ILogger? Target()
        {
            if (_target is null && Volatile.Read(ref owner._target) is { } factory)
            {
                _target = factory.CreateLogger(category);
            }

            return _target;
        }
    }

    [LoggerMessage(6011, LogLevel.Warning, "{Dropped} earlier log entries of the Consul KV configuration source were dropped before the host's logging started.", EventName = "ConsulKeyValueLogEntriesDropped")]
    private static partial void LogDropped(ILogger logger, int dropped);
}
