// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One log line as hclog writes it. Text: <c>2025-01-02T03:04:05.678Z [DEBUG] agent.http: Request finished: method=GET
/// url=/v1/kv/a from=127.0.0.1:50000 latency=1.5ms</c>: the level bracketed and padded to 7, the module, the message,
/// then <c>: key=value</c> pairs in the order given, a value quoted (Go escapes) when any character falls outside
/// <c>-</c>..<c>~</c>, an empty value as <c>""</c>. JSON: one object with <c>@level</c> (lower case), <c>@message</c>,
/// <c>@module</c>, <c>@timestamp</c> (microseconds) and the fields, keys sorted as Go's encoder sorts a map.
/// </summary>
internal static class HclogFormat
{
    /// <summary>hclog's level words; <see cref="LogLevel.Critical"/> has none of its own and reads as ERROR.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        _ => "ERROR",
    };

    public static string Text(DateTimeOffset now, LogLevel level, string module, string message, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var line = new StringBuilder(128)
            .Append(now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(("[" + LevelName(level) + "]").PadRight(7))
            .Append(' ')
            .Append(module)
            .Append(": ")
            .Append(message);
        if (fields.Count > 0)
        {
            line.Append(':');
            foreach (var (key, value) in fields)
            {
                line.Append(' ').Append(key).Append('=');
                AppendValue(line, value);
            }
        }

        return line.Append('\n').ToString();
    }

    public static string Json(DateTimeOffset now, LogLevel level, string module, string message, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["@level"] = LevelName(level).ToLowerInvariant(),
            ["@message"] = message,
            ["@module"] = module,
            ["@timestamp"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in fields)
        {
            entries[key] = value;
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (key, value) in entries)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void AppendValue(StringBuilder line, string value)
    {
        if (value.Length == 0)
        {
            line.Append("\"\"");
            return;
        }

        if (value.All(c => c is >= '-' and <= '~'))
        {
            line.Append(value);
            return;
        }

        line.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"':
                    line.Append("\\\"");
                    break;
                case '\n':
                    line.Append("\\n");
                    break;
                case '\r':
                    line.Append("\\r");
                    break;
                case '\t':
                    line.Append("\\t");
                    break;
                case < 0x20:
                    line.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    line.Append(rune.ToString());
                    break;
            }
        }

        line.Append('"');
    }
}
