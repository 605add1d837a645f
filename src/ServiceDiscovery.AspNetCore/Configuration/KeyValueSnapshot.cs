// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// The last good configuration values of each prefix, as written to the snapshot file: only the values the prefixes
/// gave (never the address, token or TLS settings), and when they were saved.
/// </summary>
internal sealed class KeyValueSnapshot
{
    public DateTimeOffset SavedAt { get; set; }

    public Dictionary<string, Dictionary<string, string?>> Prefixes { get; set; } = new(StringComparer.Ordinal);
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(KeyValueSnapshot))]
internal sealed partial class KeyValueSnapshotJsonContext : JsonSerializerContext;
