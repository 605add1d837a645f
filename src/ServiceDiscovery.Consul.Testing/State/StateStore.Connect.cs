// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The catalog's connect index (state/catalog.go, <c>indexConnect</c>): for a service name, the <c>connect-proxy</c>
/// instances whose <c>Proxy.DestinationServiceName</c> is that name and the name's Connect-native instances, with
/// the indexes <c>/v1/health/connect</c> and <c>/v1/catalog/connect</c> answer. Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>Whether <paramref name="service"/> is in the connect index under <paramref name="name"/>.</summary>
    public static bool IsConnectFor(ServiceRecord service, string name) =>
        (service.Kind == "connect-proxy" && service.Proxy?.DestinationServiceName == name)
        || (service.Kind != "connect-proxy" && service.ConnectNative && service.Name == name);

    /// <summary>The proxies and Connect-native instances of <paramref name="name"/> on <paramref name="node"/>.</summary>
    public static IEnumerable<ServiceRecord> ConnectInstancesOn(CatalogNode node, string name) =>
        node.Services.Values.Where(s => IsConnectFor(s, name));

    /// <summary>
    /// The index of a health connect query (<c>checkServiceNodesTxn</c> with <c>connect</c>): the highest index of the
    /// service names in the result, or the no-instance index of <paramref name="name"/> when there is none.
    /// </summary>
    public ulong ConnectHealthIndex(string name, IReadOnlyCollection<string> resultNames) =>
        resultNames.Count == 0
            ? ServiceIndex(name, exists: false, checksTable: true)
            : resultNames.Max(n => ServiceIndex(n, exists: true, checksTable: true));

    /// <summary>The index of a catalog connect query (<c>serviceNodesTxn</c>): the queried name's, whether any result exists.</summary>
    public ulong ConnectCatalogIndex(string name, bool anyResult) => ServiceIndex(name, anyResult, checksTable: false);
}
