// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServiceDiscovery.AspNetCore.Consul.Json;

/// <summary>
/// Writes <see cref="TimeSpan"/> as a Go duration string (<c>"10s"</c>); reads a Go duration string or a JSON number
/// of nanoseconds, the two forms Consul accepts (docs/consul-http-api.md §0).
/// </summary>
internal sealed class GoDurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.TryGetInt64(out var nanoseconds)
                ? TimeSpan.FromTicks(nanoseconds / 100)
                : throw new JsonException("A duration number must be a whole count of nanoseconds.");
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a Go duration string such as \"10s\", got {reader.TokenType}.");
        }

        var text = reader.GetString();
        if (string.IsNullOrEmpty(text))
        {
            // Consul renders an unset duration as "" (e.g. a TTL check's Interval).
            return TimeSpan.Zero;
        }

        return GoDuration.TryParse(text, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a Go duration such as \"10s\", \"1m30s\" or \"500ms\".");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(GoDuration.Format(value));
    }
}
