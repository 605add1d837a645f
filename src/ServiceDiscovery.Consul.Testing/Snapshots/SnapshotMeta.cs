// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// <c>meta.json</c>: raft's snapshot metadata (raft.SnapshotMeta) with Go's field names: the snapshot's ID
/// (<c>term-index-unixmillis</c>), Raft index and term, the raft configuration it was taken in (the server as a voter,
/// suffrage 0), and the size of <c>state.bin</c>; one JSON line, as Go's encoder writes it.
/// </summary>
internal sealed record SnapshotMeta
{
    public string Id { get; init; } = string.Empty;

    public ulong Index { get; init; }

    public ulong Term { get; init; }

    public string ServerId { get; init; } = string.Empty;

    public string ServerAddress { get; init; } = string.Empty;

    public ulong ConfigurationIndex { get; init; }

    public long Size { get; init; }

    /// <summary>Reads the fields this agent uses; Go's decoder fails on JSON that is not an object of them.</summary>
    /// <exception cref="JsonException">The text is not such JSON.</exception>
    public static SnapshotMeta Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"json: cannot unmarshal {GoKind(root.ValueKind)} into Go value of type raft.SnapshotMeta");
        }

        return new SnapshotMeta
        {
            Id = root.TryGetProperty("ID", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : string.Empty,
            Index = root.TryGetProperty(nameof(Index), out var index) && index.TryGetUInt64(out var i) ? i : 0,
            Term = root.TryGetProperty(nameof(Term), out var term) && term.TryGetUInt64(out var t) ? t : 0,
            Size = root.TryGetProperty(nameof(Size), out var size) && size.TryGetInt64(out var s) ? s : 0,
        };
    }

    public byte[] ToJson()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("Version", 1);
            w.WriteString("ID", Id);
            w.WriteNumber(nameof(Index), Index);
            w.WriteNumber(nameof(Term), Term);
            w.WriteNull("Peers");
            w.WriteStartObject("Configuration");
            w.WriteStartArray("Servers");
            w.WriteStartObject();
            w.WriteNumber("Suffrage", 0);
            w.WriteString("ID", ServerId);
            w.WriteString("Address", ServerAddress);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNumber(nameof(ConfigurationIndex), ConfigurationIndex);
            w.WriteNumber(nameof(Size), Size);
            w.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    private static string GoKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };
}
