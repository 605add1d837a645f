// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>An entry of <c>GET /v1/agent/services</c> / <c>GET /v1/agent/service/{id}</c> (docs/consul-http-api.md §4).</summary>
internal sealed record AgentService
{
    public string? Kind { get; init; }
    public required string ID { get; init; }
    public required string Service { get; init; }
    /// <summary>`[]` on the wire; a `null` from an older agent reads as empty.</summary>
    public IReadOnlyList<string> Tags { get; init => field = value ?? []; } = [];

    /// <summary>`{}` on the wire; a `null` reads as empty.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; init => field = value ?? EmptyMeta; } = EmptyMeta;
    public int Port { get; init; }
    public string Address { get; init; } = "";
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    public ServiceWeights Weights { get; init; } = new(1, 1);
    public bool EnableTagOverride { get; init; }
    public string? ContentHash { get; init; }
    public string? Datacenter { get; init; }

    private static readonly IReadOnlyDictionary<string, string> EmptyMeta = new Dictionary<string, string>();
}
