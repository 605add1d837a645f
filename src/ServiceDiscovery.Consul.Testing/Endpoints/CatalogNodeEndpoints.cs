// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/catalog/datacenters</c>, <c>/nodes</c>, <c>/node/:node</c> and <c>/node-services/:node</c>
/// (docs/consul-http-api.md §7), the last three blocking on Consul's table indexes.
/// </summary>
internal static class CatalogNodeEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/catalog/datacenters", ["GET"], DatacentersAsync);
        router.Add("/v1/catalog/nodes", ["GET"], NodesAsync);
        router.Add("/v1/catalog/node/", ["GET"], r => NodeAsync(r, asList: false));
        router.Add("/v1/catalog/node-services/", ["GET"], r => NodeAsync(r, asList: true));
    }

    /// <summary>The node <c>near</c> names (<c>_agent</c> is the agent's own), or null when none is given.</summary>
    public static string? Near(AgentRequest r) => r.Query.Get("near") switch
    {
        "" => null,
        "_agent" => r.Local.Node.Name,
        var name => name,
    };

    /// <summary>
    /// sortNodesByDistanceFrom: with a <c>near</c> node that has a coordinate, nodes are ordered by distance. Only
    /// the agent's node has one here, so it comes first and the others keep their order.
    /// </summary>
    public static List<T> SortNear<T>(AgentRequest r, List<T> items, Func<T, string> nodeOf)
    {
        var near = Near(r);
        return near is null || near != r.Local.Node.Name
            ? items
            : [.. items.Where(i => nodeOf(i) == near), .. items.Where(i => nodeOf(i) != near)];
    }

    /// <summary>Every datacenter of the WAN, nearest first (the agent's own, then by estimated round-trip time).</summary>
    private static Task DatacentersAsync(AgentRequest r) =>
        Responses.WriteJsonAsync(r, w => ModelWriter.WriteStringArray(
            w, r.Wan is { } wan ? [.. wan.ByDistanceFrom(r.Options.Datacenter).Select(d => d.Name)] : [r.Options.Datacenter]));

    private static async Task NodesAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r, namespaces: false).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidNode).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var (nodes, filtered) = await blocking.RunAsync(r, () =>
        {
            var matching = r.Store.NodesByName
                .Select(n => n.Node)
                .Where(n => ReadGuards.NodeMetaMatches(r, n) && filter.Matches(n, Selectors.CatalogNode))
                .ToList();
            var readable = matching.Where(n => authorizer.Allows(ConsulTestAclResource.Node, n.Name, ConsulTestAclAccess.Read)).ToList();
            return (r.Store.NodesTableIndex, (SortNear(r, readable, n => n.Name), readable.Count < matching.Count));
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

    /// <summary><c>/node/:node</c> answers <c>{"Node","Services":{id:..}}</c> or null; <c>/node-services/:node</c> <c>{"Node","Services":[..]}</c>.</summary>
    private static async Task NodeAsync(AgentRequest r, bool asList)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var name = r.Parameter;
        if (name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing node name").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidNodeService).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var hasFilter = r.Query.Get("filter").Length > 0;
        var (found, filtered) = await blocking.RunAsync<(NodeView?, bool)>(r, () =>
        {
            var store = r.Store;
            var index = store.NodeIndex(name);
            if (!store.Nodes.TryGetValue(name, out var node))
            {
                return (index, (null, false));
            }

            if (!authorizer.Allows(ConsulTestAclResource.Node, node.Node.Name, ConsulTestAclAccess.Read))
            {
                return (index, (null, true));
            }

            var services = store.ServicesOn(node).OrderBy(s => s.Id, StringComparer.Ordinal)
                .Where(s => filter.Matches(s, Selectors.NodeServiceOf)).ToList();
            var readable = services.Where(s => authorizer.Allows(ConsulTestAclResource.Service, s.Name, ConsulTestAclAccess.Read)).ToList();
            return (index, (new NodeView(node.Node, readable), readable.Count < services.Count));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            if (found is not { } view)
            {
                WriteMissing(w, asList);
            }
            else
            {
                w.WriteStartObject();
                w.WritePropertyName("Node");
                ModelWriter.WriteNode(w, view.Node);
                WriteServices(w, view.Services, asList, nullWhenEmpty: asList && !hasFilter);
                w.WriteEndObject();
            }

            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static void WriteMissing(Utf8JsonWriter w, bool asList)
    {
        if (!asList)
        {
            w.WriteNullValue();
            return;
        }

        // IndexedNodeServiceList holds a zero NodeServiceList, not a pointer.
        w.WriteStartObject();
        w.WriteNull("Node");
        w.WriteNull("Services");
        w.WriteEndObject();
    }

    private static void WriteServices(Utf8JsonWriter w, List<ServiceRecord> services, bool asList, bool nullWhenEmpty)
    {
        if (services.Count == 0 && nullWhenEmpty)
        {
            w.WriteNull("Services");
            return;
        }

        if (asList)
        {
            w.WriteStartArray("Services");
        }
        else
        {
            w.WriteStartObject("Services");
        }

        foreach (var service in services)
        {
            if (!asList)
            {
                w.WritePropertyName(service.Id);
            }

            ModelWriter.WriteNodeService(w, service);
        }

        if (asList)
        {
            w.WriteEndArray();
        }
        else
        {
            w.WriteEndObject();
        }
    }

    private sealed record NodeView(NodeInfo Node, List<ServiceRecord> Services);
}
