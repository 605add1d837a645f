// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>One registered service instance as the agent holds it (immutable; a re-registration replaces it).</summary>
internal sealed class ServiceRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public string Kind { get; init; } = string.Empty;

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string Address { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, (string Address, int Port)> TaggedAddresses { get; init; } =
        new Dictionary<string, (string, int)>();

    public IReadOnlyDictionary<string, string> Meta { get; init; } = new Dictionary<string, string>();

    public int Port { get; init; }

    public string SocketPath { get; init; } = string.Empty;

    public int WeightPassing { get; init; } = 1;

    public int WeightWarning { get; init; } = 1;

    public bool EnableTagOverride { get; init; }

    /// <summary>Gets the registered <c>Locality</c>, or null when none was.</summary>
    public ServiceLocality? Locality { get; init; }

    /// <summary>Gets the connect-proxy or gateway configuration, or null when none was registered.</summary>
    public ProxyConfig? Proxy { get; init; }

    public bool ConnectNative { get; init; }

    /// <summary>Gets a value indicating whether the agent registered this as a parent's <c>Connect.SidecarService</c>.</summary>
    public bool LocallyRegisteredAsSidecar { get; init; }

    /// <summary>Gets a value indicating whether the JSON carries <c>Proxy</c> (connect-proxy and gateway kinds).</summary>
    public bool HasProxyKind => Kind is "connect-proxy" or "mesh-gateway" or "terminating-gateway" or "ingress-gateway" or "api-gateway";

    /// <summary>Gets or sets the catalog index at which this instance first appeared.</summary>
    public ulong CreateIndex { get; set; }

    /// <summary>Gets or sets the catalog index of this instance's last real change.</summary>
    public ulong ModifyIndex { get; set; }

    /// <summary>Consul's <c>IsSameService</c>: an identical re-registration is not a catalog change.</summary>
    public bool IsSame(ServiceRecord other) =>
        Id == other.Id && Name == other.Name && Kind == other.Kind && Address == other.Address && Port == other.Port
        && SocketPath == other.SocketPath && WeightPassing == other.WeightPassing && WeightWarning == other.WeightWarning
        && EnableTagOverride == other.EnableTagOverride && Tags.SequenceEqual(other.Tags)
        && SameMap(Meta, other.Meta) && SameMap(TaggedAddresses, other.TaggedAddresses)
        && ConnectNative == other.ConnectNative && Locality == other.Locality && Proxy?.Fingerprint() == other.Proxy?.Fingerprint();

    private static bool SameMap<TValue>(IReadOnlyDictionary<string, TValue> a, IReadOnlyDictionary<string, TValue> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out var v) && EqualityComparer<TValue>.Default.Equals(v, p.Value));
}
