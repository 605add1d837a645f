// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One element of a <c>service-intentions</c> entry's <c>Sources</c>: who may (or may not) call the entry's
/// destination. An L4 source has an <see cref="Action"/>; an L7 one has <see cref="Permissions"/> instead. Sources made
/// through the legacy API carry a <see cref="LegacyId"/> and their own meta and times.
/// </summary>
internal sealed class IntentionSource
{
    public required string Name { get; set; }

    /// <summary>Gets or sets <c>allow</c> or <c>deny</c>; empty for an L7 source.</summary>
    public string Action { get; set; } = string.Empty;

    /// <summary>Gets or sets the L7 permissions as sent; null for an L4 source.</summary>
    public JsonArray? Permissions { get; set; }

    public string Description { get; set; } = string.Empty;

    public string? LegacyId { get; set; }

    public Dictionary<string, string>? LegacyMeta { get; set; }

    public DateTimeOffset? LegacyCreateTime { get; set; }

    public DateTimeOffset? LegacyUpdateTime { get; set; }

    /// <summary>Gets or sets the other fields the entry carried (<c>Peer</c>, <c>SamenessGroup</c>, <c>JWT</c>…), kept as sent.</summary>
    public JsonObject Extra { get; set; } = [];

    public bool IsL7 => Permissions is { Count: > 0 };

    public IntentionSource Clone() => new()
    {
        Name = Name,
        Action = Action,
        Permissions = (JsonArray?)Permissions?.DeepClone(),
        Description = Description,
        LegacyId = LegacyId,
        LegacyMeta = LegacyMeta is null ? null : new Dictionary<string, string>(LegacyMeta, StringComparer.Ordinal),
        LegacyCreateTime = LegacyCreateTime,
        LegacyUpdateTime = LegacyUpdateTime,
        Extra = (JsonObject)Extra.DeepClone(),
    };
}
