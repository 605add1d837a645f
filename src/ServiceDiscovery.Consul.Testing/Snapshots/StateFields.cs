// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>Typed reads of <c>state.bin</c> fields: each names the field that is missing or of the wrong type.</summary>
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

    public static FormatException Invalid(string field, string expected) => new($"state.bin field {field} is missing or not {expected}");
}
