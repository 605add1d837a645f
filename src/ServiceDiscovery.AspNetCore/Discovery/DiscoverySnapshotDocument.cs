// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// The fail-static snapshot file's content (<c>Consul:Discovery:SnapshotPath</c>): per watched name, the last instances
/// Consul confirmed. Never the address of Consul, the token or TLS settings: only what lookups returned.
/// </summary>
internal sealed class DiscoverySnapshotDocument
{
    /// <summary>The format this code reads and writes; a file with another version is ignored (and then replaced).</summary>
    public const int CurrentVersion = 1;

    public int Version { get; set; }

    public Dictionary<string, DiscoverySnapshotEntry> Services { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One name's last confirmed instances.</summary>
internal sealed class DiscoverySnapshotEntry
{
    /// <summary>When Consul last confirmed these instances (the time of the write that saw them fresh).</summary>
    public DateTimeOffset SavedAt { get; set; }

    /// <summary>Consul's <c>X-Consul-Index</c> of the answer.</summary>
    public ulong Index { get; set; }

    /// <summary>The query settings the instances answer (<see cref="DiscoverySnapshotFile.QueryKey"/>): others are not served.</summary>
    public string Query { get; set; } = "";

    public List<DiscoverySnapshotInstance> Instances { get; set; } = [];
}

/// <summary>One instance as <see cref="ConsulServiceInstance"/> holds it (the address already resolved).</summary>
internal sealed class DiscoverySnapshotInstance
{
    public string Id { get; set; } = "";

    public string Address { get; set; } = "";

    public int Port { get; set; }

    public string? Scheme { get; set; }

    public List<string>? Tags { get; set; }

    public Dictionary<string, string>? Meta { get; set; }

    public ConsulCheckStatus HealthStatus { get; set; }

    public int PassingWeight { get; set; } = 1;

    public int WarningWeight { get; set; } = 1;

    public string? Datacenter { get; set; }

    public string? Node { get; set; }

    /// <summary>Connect-native (called over mTLS only); absent, so false, in files written before it existed.</summary>
    public bool ConnectNative { get; set; }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DiscoverySnapshotDocument))]
internal sealed partial class DiscoverySnapshotJsonContext : JsonSerializerContext;
