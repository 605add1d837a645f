// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>A <c>service-intentions</c> config entry: the intentions of one destination, the unit Consul stores them in.</summary>
internal sealed class IntentionEntry
{
    public required string Name { get; init; }

    public List<IntentionSource> Sources { get; init; } = [];

    public Dictionary<string, string>? Meta { get; set; }

    /// <summary>Gets or sets the other top-level fields as sent (<c>JWT</c>…).</summary>
    public JsonObject Extra { get; set; } = [];

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }

    /// <summary>Gets a value indicating whether only the legacy API wrote it: every source has a legacy ID (an empty entry counts).</summary>
    public bool IsLegacy => Sources.All(s => s.LegacyId is not null);
}
