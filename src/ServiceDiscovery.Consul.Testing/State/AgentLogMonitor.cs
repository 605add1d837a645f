// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The agent's own log: passes every entry to the user's logger and to the <c>/v1/agent/monitor</c> streams
/// subscribed at a level, formatted as hclog does (<c>2025-01-02T03:04:05.678Z [INFO]  agent: message</c>, or JSON
/// with <c>@level</c>, <c>@message</c>, <c>@module</c>, <c>@timestamp</c>). Like Consul's monitor, a slow reader
/// loses lines beyond a 512-line buffer instead of slowing the agent.
/// </summary>
internal sealed class AgentLogMonitor(ILogger inner, TimeProvider time) : ILogger
{
    private readonly Lock _sync = new();
    private readonly List<Subscriber> _subscribers = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        Subscriber[] subscribers;
        lock (_sync)
        {
            if (_subscribers.Count == 0)
            {
                return;
            }

            subscribers = [.. _subscribers];
        }

        var message = formatter(state, exception);
        var now = time.GetUtcNow();
        foreach (var subscriber in subscribers.Where(s => logLevel >= s.Level))
        {
            subscriber.Lines.Writer.TryWrite(subscriber.Json ? FormatJson(now, logLevel, message) : FormatText(now, logLevel, message));
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
        }

        return new Subscription(subscriber.Lines.Reader, () =>
        {
            lock (_sync)
            {
                _subscribers.Remove(subscriber);
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

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        _ => "ERROR",
    };

    private static string Timestamp(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string FormatText(DateTimeOffset now, LogLevel level, string message) =>
        $"{Timestamp(now)} {("[" + LevelName(level) + "]").PadRight(7)} agent: {message}\n";

    private static string FormatJson(DateTimeOffset now, LogLevel level, string message)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("@level", LevelName(level).ToLowerInvariant());
            w.WriteString("@message", message);
            w.WriteString("@module", "agent");
            w.WriteString("@timestamp", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private sealed record Subscriber(LogLevel Level, bool Json, Channel<string> Lines);

    /// <summary>One monitor stream's lines.</summary>
    public sealed class Subscription(ChannelReader<string> lines, Action unsubscribe) : IDisposable
    {
        public ChannelReader<string> Lines { get; } = lines;

        public void Dispose() => unsubscribe();
    }
}
