// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>Typed reads of <c>state.bin</c> fields (each names the field that is missing or of the wrong type), and the map writer they pair with.</summary>
internal static class StateFields
{
    public static JsonObject Object(JsonObject o, string name) => o[name] as JsonObject ?? throw Invalid(name, "an object");

    public static JsonArray Array(JsonObject o, string name) => o[name] as JsonArray ?? throw Invalid(name, "an array");

    public static string Text(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out string? text) ? text : throw Invalid(name, "a string");

    public static ulong Number(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out ulong number) ? number : throw Invalid(name, "a non-negative integer");

    public static DateTimeOffset Time(JsonObject o, string name) =>
        DateTimeOffset.TryParse(Text(o, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : throw Invalid(name, "a time");

    /// <summary>Writes a string map, or null.</summary>
    public static void Map(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    /// <summary>Reads a string map written by <see cref="Map"/>: null when null.</summary>
    public static Dictionary<string, string>? MapOf(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonObject map => map.ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out string? s) ? s : throw Invalid($"{name}.{p.Key}", "a string"), StringComparer.Ordinal),
        _ => throw Invalid(name, "an object or null"),
    };

    /// <summary>Writes a time in round-trip form, or null.</summary>
    public static void Time(Utf8JsonWriter w, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            w.WriteString(name, t.ToString("O", CultureInfo.InvariantCulture));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>Reads a time written by <see cref="Time(Utf8JsonWriter, string, DateTimeOffset?)"/>: null when null.</summary>
    public static DateTimeOffset? TimeOf(JsonObject o, string name) =>
        o[name] is null ? null
        : DateTimeOffset.TryParse(Text(o, name), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time
        : throw Invalid(name, "a time");

    public static FormatException Invalid(string field, string expected) => new($"state.bin field {field} is missing or not {expected}");
}
