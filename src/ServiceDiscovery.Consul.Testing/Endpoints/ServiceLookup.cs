// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// Which instances a <c>/v1/health/*/:service</c> or <c>/v1/catalog/*/:service</c> query reads, and its index:
/// the service's own instances, its Connect instances (proxies whose <c>Proxy.DestinationServiceName</c> is the
/// service, its Connect-native instances, and the instances of the terminating gateways linked to it, which Consul
/// appends so a service can move into the mesh gateway by gateway; <c>?tag</c> is ignored, as Consul's connect
/// lookups ignore it), or its
/// ingress gateways: the instances of every gateway an <c>ingress-gateway</c> entry links the service to, by name or
/// through its wildcard (state/catalog.go <c>CheckIngressServiceNodes</c>), whatever the instances' kind.
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
        this == Service ? store.InstancesOn(node, name)
        : this == Connect ? StateStore.ConnectInstancesOn(node, name).Concat(GatewayInstancesOn(store, node, name, GatewayServiceTable.TerminatingKind))
        : GatewayInstancesOn(store, node, name, GatewayServiceTable.IngressKind);

    /// <summary>The health query's index, given the service names of what the store returned.</summary>
    public ulong HealthIndex(StateStore store, string name, IReadOnlyCollection<string> resultNames) =>
        this == Service ? store.ServiceIndex(name, checksTable: true)
        : this == Connect ? Math.Max(store.ConnectHealthIndex(name, resultNames), RefreshedGatewayIndex(store))

        // The gateway-services table (0, raised to 1 in the answer, while no gateway entry was written) and the gateways' own instances.
        : resultNames.Select(n => store.ServiceIndex(n, exists: true, checksTable: true)).Append(RefreshedGatewayIndex(store)).Max();

    private static ulong RefreshedGatewayIndex(StateStore store)
    {
        var table = GatewayServiceTable.For(store);
        table.Refresh(store);
        return table.Index;
    }

    /// <summary>The instances on <paramref name="node"/> of the gateways of <paramref name="kind"/> linked to <paramref name="service"/>. The caller holds the store's lock.</summary>
    private static IEnumerable<ServiceRecord> GatewayInstancesOn(StateStore store, CatalogNode node, string service, string kind)
    {
        var gateways = GatewayServiceTable.For(store).Refresh(store).Where(r => r.Service == service && r.GatewayKind == kind).Select(r => r.Gateway).ToHashSet(StringComparer.Ordinal);
        return gateways.Count == 0 ? [] : store.ServicesOn(node).Where(s => gateways.Contains(s.Name));
    }

    /// <summary>The catalog query's index.</summary>
    /// <remarks>A connect lookup also follows the gateway-services table, so it wakes when a terminating gateway is linked or unlinked.</remarks>
    public ulong CatalogIndex(StateStore store, string name, bool anyResult) =>
        this == Service ? store.ServiceIndex(name, checksTable: false) : Math.Max(store.ConnectCatalogIndex(name, anyResult), RefreshedGatewayIndex(store));
}
