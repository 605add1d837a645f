// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The agent's own log: passes every entry to the user's logger and to the <c>/v1/agent/monitor</c> streams
/// subscribed at a level, formatted as hclog does (<see cref="HclogFormat"/>), and carries the lines Consul's named
/// sub-loggers write (the HTTP server's request lines) to those streams. Like Consul's monitor, a slow reader
/// loses lines beyond a 512-line buffer instead of slowing the agent.
/// </summary>
internal sealed class AgentLogMonitor(ILogger inner, TimeProvider time) : ILogger
{
    private readonly Lock _sync = new();
    private readonly List<Subscriber> _subscribers = [];
    private int _lowestLevel = (int)LogLevel.None;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        if (IsMonitoring(logLevel))
        {
            Write(logLevel, "agent", formatter(state, exception), []);
        }
    }

    /// <summary>Whether some monitor stream takes lines at <paramref name="level"/> (so callers can skip building them).</summary>
    public bool IsMonitoring(LogLevel level) => (int)level >= Volatile.Read(ref _lowestLevel);

    /// <summary>
    /// Sends a line of a named hclog sub-logger (<paramref name="module"/>, e.g. <c>agent.http</c>) with key/value
    /// fields to the monitor streams only: these lines are Consul's, not events of this library's log.
    /// </summary>
    public void Write(LogLevel level, string module, string message, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        Subscriber[] subscribers;
        lock (_sync)
        {
            subscribers = [.. _subscribers.Where(s => level >= s.Level)];
        }

        if (subscribers.Length == 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        string? text = null;
        string? json = null;
        foreach (var subscriber in subscribers)
        {
            subscriber.Lines.Writer.TryWrite(subscriber.Json
                ? json ??= HclogFormat.Json(now, level, module, message, fields)
                : text ??= HclogFormat.Text(now, level, module, message, fields));
        }
    }

    /// <summary>Subscribes a stream at <paramref name="level"/>; dispose the result to unsubscribe.</summary>
    public Subscription Subscribe(LogLevel level, bool json)
    {
        var subscriber = new Subscriber(level, json, Channel.CreateBounded<string>(new BoundedChannelOptions(512)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        }));
        lock (_sync)
        {
            _subscribers.Add(subscriber);
            UpdateLowestLevel();
        }

        return new Subscription(subscriber.Lines.Reader, () =>
        {
            lock (_sync)
            {
                _subscribers.Remove(subscriber);
                UpdateLowestLevel();
            }
        });
    }

    /// <summary>hclog's level names, as <c>?loglevel=</c> accepts them (logging.LevelFromString); null when unknown.</summary>
    public static LogLevel? ParseLevel(string name) => name.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "err" or "error" => LogLevel.Error,
        _ => null,
    };

    private void UpdateLowestLevel() =>
        Volatile.Write(ref _lowestLevel, (int)(_subscribers.Count == 0 ? LogLevel.None : _subscribers.Min(s => s.Level)));

    private sealed record Subscriber(LogLevel Level, bool Json, Channel<string> Lines);

    /// <summary>One monitor stream's lines.</summary>
    public sealed class Subscription(ChannelReader<string> lines, Action unsubscribe) : IDisposable
    {
        public ChannelReader<string> Lines { get; } = lines;

        public void Dispose() => unsubscribe();
    }
}
