// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>An element of <c>GET /v1/catalog/service/{name}</c> (structs.ServiceNode, docs/consul-http-api.md §7).</summary>
internal sealed record CatalogService
{
    public string ID { get; init; } = "";
    public required string Node { get; init; }
    public string Address { get; init; } = "";
    public string Datacenter { get; init; } = "";
    public IReadOnlyDictionary<string, string>? TaggedAddresses { get; init; }
    public IReadOnlyDictionary<string, string>? NodeMeta { get; init; }
    public required string ServiceID { get; init; }
    public required string ServiceName { get; init; }
    public IReadOnlyList<string> ServiceTags { get; init => field = value ?? []; } = [];
    /// <summary>Empty means "use the node <see cref="Address"/>".</summary>
    public string ServiceAddress { get; init; } = "";
    public IReadOnlyDictionary<string, ServiceAddress>? ServiceTaggedAddresses { get; init; }
    public ServiceWeights? ServiceWeights { get; init; }
    public IReadOnlyDictionary<string, string>? ServiceMeta { get; init; }
    public int ServicePort { get; init; }
    public bool ServiceEnableTagOverride { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}
