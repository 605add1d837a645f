// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>An element of <c>GET /v1/health/service/{name}</c> (docs/consul-http-api.md §6).</summary>
internal sealed record ServiceEntry(Node Node, NodeService Service, IReadOnlyList<HealthCheck> Checks)
{
    /// <summary>Node checks (e.g. `serfHealth`) and this instance's checks; never null, even if the wire says so.</summary>
    public IReadOnlyList<HealthCheck> Checks { get; init; } = Checks ?? [];
}

/// <summary>`Node` of a health entry (structs.Node). Node tagged addresses are plain strings, unlike a service's.</summary>
internal sealed record Node
{
    public string ID { get; init; } = "";
    /// <summary>The node name (JSON \`Node\`).</summary>
    [System.Text.Json.Serialization.JsonPropertyName("Node")]
    public required string Name { get; init; }
    public string Address { get; init; } = "";
    public string Datacenter { get; init; } = "";
    public IReadOnlyDictionary<string, string>? TaggedAddresses { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

/// <summary>`Service` of a health entry (structs.NodeService). `Meta` may be null and `Port` absent on the wire.</summary>
internal sealed record NodeService
{
    public string? Kind { get; init; }
    public required string ID { get; init; }
    public required string Service { get; init; }
    public IReadOnlyList<string> Tags { get; init => field = value ?? []; } = [];
    public string Address { get; init; } = "";
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public int Port { get; init; }
    public ServiceWeights Weights { get; init; } = new(1, 1);
    public bool EnableTagOverride { get; init; }
    /// <summary>`Connect` of the instance: `Native` true for an app that serves Connect mTLS itself; null on the wire for most.</summary>
    public AgentServiceConnect? Connect { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}
