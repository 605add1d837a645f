// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>Checks shared by catalog and health reads: the datacenter and <c>node-meta</c> filters.</summary>
internal static class ReadGuards
{
    /// <summary>
    /// <c>?dc=</c>: the agent's own datacenter goes on; another is forwarded over the WAN (see
    /// <see cref="DatacenterForwarding"/>), or fails with Consul's 500 when there is no path to it.
    /// </summary>
    public static Task<bool> CheckDatacenterAsync(AgentRequest r) => DatacenterForwarding.RouteAsync(r, r.Query.Get("dc"));

    /// <summary>
    /// http_ce.go <c>parseEntMeta</c>: namespaces and partitions are Enterprise features, so <c>ns</c> and <c>partition</c>
    /// give 400; endpoints that parse only the partition (<c>parseEntMetaPartition</c>) pass <paramref name="namespaces"/> false.
    /// </summary>
    public static async Task<bool> CheckEnterpriseParamsAsync(AgentRequest r, bool namespaces = true)
    {
        var error = namespaces && r.Context.Request.Headers["X-Consul-Namespace"].ToString().Length > 0
                ? "Invalid header: \"X-Consul-Namespace\" - Namespaces are a Consul Enterprise feature"
            : namespaces && r.Query.Get("ns").Length > 0 ? "Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature"
            : r.Context.Request.Headers["X-Consul-Partition"].ToString().Length > 0
                ? "Invalid header: \"X-Consul-Partition\" - Partitions are a Consul Enterprise feature"
            : r.Query.Get("partition").Length > 0 ? "Invalid query parameter: \"partition\" - Partitions are a Consul Enterprise feature"
            : null;
        if (error is null)
        {
            return true;
        }

        await Responses.WriteErrorAsync(r.Context, 400, error).ConfigureAwait(false);
        return false;
    }

    /// <summary>Whether <paramref name="node"/> passes every <c>node-meta=k:v</c> filter.</summary>
    public static bool NodeMetaMatches(AgentRequest r, NodeInfo node)
    {
        foreach (var pair in r.Query.GetAll("node-meta"))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            var (key, value) = colon < 0 ? (pair, string.Empty) : (pair[..colon], pair[(colon + 1)..]);
            if (!node.NodeMeta.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>serviceTagsFilter: every requested tag present, compared case-insensitively.</summary>
    public static bool TagsMatch(ServiceRecord service, IReadOnlyList<string> tags) =>
        tags.All(t => service.Tags.Any(s => string.Equals(s, t, StringComparison.OrdinalIgnoreCase)));
}
