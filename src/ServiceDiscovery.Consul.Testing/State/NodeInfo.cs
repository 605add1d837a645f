// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A catalog node: the single node a <c>-dev</c> agent runs as, or an external node written through
/// <c>/v1/catalog/register</c>, which carries its own tagged addresses and meta.
/// </summary>
internal sealed record NodeInfo(string Name, string Id, string Address, string Datacenter, ulong CreateIndex)
{
    /// <summary>Gets the node's tagged addresses; null for an agent's node, which has <c>lan</c>/<c>wan</c> (+<c>_ipv4</c>) set to its address.</summary>
    public IReadOnlyDictionary<string, string>? Tagged { get; init; }

    /// <summary>Gets the node's meta; null for an agent's node, which has <c>consul-network-segment</c> and <c>consul-version</c>.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Gets a value indicating whether the node came from <c>/v1/catalog/register</c>: absent maps are then null, not the agent's.</summary>
    public bool IsExternal { get; init; }

    /// <summary>Gets the index of the node's last change (its <see cref="CreateIndex"/> when 0).</summary>
    public ulong ModifyIndex { get; init; }

    /// <summary>Gets the tagged addresses as the catalog shows them.</summary>
    public IReadOnlyDictionary<string, string> TaggedAddresses => Tagged ?? (IsExternal ? Empty : new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["lan"] = Address, ["lan_ipv4"] = Address, ["wan"] = Address, ["wan_ipv4"] = Address,
    });

    /// <summary>Gets the node meta as the catalog shows it.</summary>
    public IReadOnlyDictionary<string, string> NodeMeta => Meta ?? (IsExternal ? Empty : new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["consul-network-segment"] = string.Empty, ["consul-version"] = ConsulTestAgent.ConsulVersion,
    });

    private static Dictionary<string, string> Empty { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the index of the node's last change.</summary>
    public ulong LastIndex => ModifyIndex == 0 ? CreateIndex : ModifyIndex;
}
