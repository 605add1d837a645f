// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>A check as Consul reports it (structs.Check; /agent/checks and inside health entries, docs/consul-http-api.md §4, §6).</summary>
internal sealed record HealthCheck
{
    public string Node { get; init; } = "";
    public required string CheckID { get; init; }
    public string Name { get; init; } = "";
    /// <summary>`passing` / `warning` / `critical` (kept as text: an unknown value makes the aggregate empty, §6).</summary>
    public required string Status { get; init; }
    public string Notes { get; init; } = "";
    public string Output { get; init; } = "";
    public string ServiceID { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public IReadOnlyList<string> ServiceTags { get; init => field = value ?? []; } = [];
    public string Type { get; init; } = "";
    public string Interval { get; init; } = "";
    public string Timeout { get; init; } = "";
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}
