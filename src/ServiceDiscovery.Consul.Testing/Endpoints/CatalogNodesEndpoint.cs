// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/catalog/nodes</c> (§7): every node of the datacenter in name order, blocking on the nodes table's
/// index; <c>?dc</c>, <c>?node-meta</c> and <c>?filter</c> apply, <c>?near</c> is accepted (no coordinates, so no
/// reordering), and nodes the token cannot <c>node:read</c> are left out.
/// </summary>
internal static class CatalogNodesEndpoint
{
    public static void Map(Router router) => router.Add("/v1/catalog/nodes", ["GET"], NodesAsync);

    private static async Task NodesAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidCatalogNode).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var nodeMatches = ReadGuards.NodeMetaMatches(r);
        var (nodes, filtered) = await blocking.RunAsync(r, () =>
        {
            var list = new List<NodeInfo>();
            var cut = false;
            foreach (var node in r.Store.NodesByName.Select(n => n.Node).Where(_ => nodeMatches))
            {
                if (!authorizer.Allows(ConsulTestAclResource.Node, node.Name, ConsulTestAclAccess.Read))
                {
                    cut = true;
                }
                else if (filter.Matches(node, Selectors.CatalogNode))
                {
                    list.Add(node);
                }
            }

            return (r.Store.NodesTableIndex, (list, cut));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var node in nodes)
            {
                ModelWriter.WriteNode(w, node);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }
}
