// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>A check inside a registration (structs.CheckType, docs/consul-http-api.md §1). Durations go on the wire as Go duration strings.</summary>
internal sealed record AgentServiceCheck
{
    public string? CheckID { get; init; }
    public string? Name { get; init; }
    public string? Notes { get; init; }
    public string? Status { get; init; }
    public TimeSpan? Interval { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan? TTL { get; init; }
    public TimeSpan? DeregisterCriticalServiceAfter { get; init; }
    public string? HTTP { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Header { get; init; }
    public string? Method { get; init; }
    public string? Body { get; init; }
    public bool? DisableRedirects { get; init; }
    public string? TCP { get; init; }
    public string? GRPC { get; init; }
    public bool? GRPCUseTLS { get; init; }
    public string? TLSServerName { get; init; }
    public bool? TLSSkipVerify { get; init; }
    public int? SuccessBeforePassing { get; init; }
    public int? FailuresBeforeWarning { get; init; }
    public int? FailuresBeforeCritical { get; init; }
}
