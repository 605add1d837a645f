// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// Which instances a <c>/v1/health/*/:service</c> or <c>/v1/catalog/*/:service</c> query reads, and its index:
/// the service's own instances, its Connect instances (proxies whose <c>Proxy.DestinationServiceName</c> is the
/// service, and its Connect-native instances; <c>?tag</c> is ignored, as Consul's connect lookups ignore it), or its
/// ingress gateways (none: the test agent has no config entries, so no gateway serves any service).
/// </summary>
internal sealed class ServiceLookup
{
    private ServiceLookup(string kind) => Kind = kind;

    public static ServiceLookup Service { get; } = new("service");

    public static ServiceLookup Connect { get; } = new("connect");

    public static ServiceLookup Ingress { get; } = new("ingress");

    /// <summary>Gets the path segment: <c>service</c>, <c>connect</c> or <c>ingress</c>.</summary>
    public string Kind { get; }

    /// <summary>Gets a value indicating whether <c>?tag</c> filters the instances.</summary>
    public bool FiltersTags => this == Service;

    /// <summary>Gets a value indicating whether the token must read the queried service itself (connect and ingress lookups).</summary>
    public bool RequiresServiceRead => this != Service;

    /// <summary>The instances on <paramref name="node"/> this lookup returns for <paramref name="name"/>.</summary>
    public IEnumerable<ServiceRecord> InstancesOn(StateStore store, CatalogNode node, string name) =>
        this == Service ? store.InstancesOn(node, name) : this == Connect ? StateStore.ConnectInstancesOn(node, name) : [];

    /// <summary>The health query's index, given the service names of what the store returned.</summary>
    public ulong HealthIndex(StateStore store, string name, IReadOnlyCollection<string> resultNames) =>
        this == Service ? store.ServiceIndex(name, checksTable: true)
        : this == Connect ? store.ConnectHealthIndex(name, resultNames)

        // No gateway was ever written: the gateway-services table is at 0, which the answer raises to 1.
        : 0;

    /// <summary>The catalog query's index.</summary>
    public ulong CatalogIndex(StateStore store, string name, bool anyResult) =>
        this == Service ? store.ServiceIndex(name, checksTable: false) : store.ConnectCatalogIndex(name, anyResult);
}
