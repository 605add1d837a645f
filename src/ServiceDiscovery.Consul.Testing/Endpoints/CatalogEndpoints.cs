// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/catalog/services</c>, <c>GET /v1/catalog/service/:service</c> (§7) and <c>GET /v1/catalog/connect/:service</c>
/// (the service's proxies and Connect-native instances, see <see cref="ServiceLookup"/>), all blocking.
/// </summary>
internal static class CatalogEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/catalog/services", ["GET"], ServicesAsync);
        router.Add("/v1/catalog/service/", ["GET"], r => ServiceAsync(r, ServiceLookup.Service));
        router.Add("/v1/catalog/connect/", ["GET"], r => ServiceAsync(r, ServiceLookup.Connect));
    }

    private static async Task ServicesAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidCatalogService).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var (services, filtered) = await blocking.RunAsync(r, () =>
        {
            var store = r.Store;
            var result = new List<(string Name, List<string> Tags)>();
            var cut = false;
            var instances = store.Nodes.Values.Where(n => ReadGuards.NodeMetaMatches(r, n.Node)).SelectMany(n => store.ServicesOn(n).Select(s => (n.Node, Service: s)));
            foreach (var (node, service) in instances.OrderBy(p => p.Service.Name, StringComparer.Ordinal).ThenBy(p => p.Service.Id, StringComparer.Ordinal))
            {
                if (!authorizer.Allows(ConsulTestAclResource.Service, service.Name, ConsulTestAclAccess.Read))
                {
                    cut = true;
                    continue;
                }

                if (!filter.Matches((node, service), Selectors.CatalogService))
                {
                    continue;
                }

                if (result.Count == 0 || result[^1].Name != service.Name)
                {
                    result.Add((service.Name, []));
                }

                foreach (var tag in service.Tags.Where(t => !result[^1].Tags.Contains(t)))
                {
                    result[^1].Tags.Add(tag);
                }
            }

            return (store.ServicesTableIndex, (result, cut));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            foreach (var (name, tags) in services)
            {
                ModelWriter.WriteStrings(w, name, tags);
            }

            w.WriteEndObject();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task ServiceAsync(AgentRequest r, ServiceLookup lookup)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var name = r.Parameter;
        if (name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing service name").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidCatalogService).ConfigureAwait(false) is not { } filter
            || (lookup.RequiresServiceRead && !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, name, ConsulTestAclAccess.Read).ConfigureAwait(false)))
        {
            return;
        }

        var tags = lookup.FiltersTags ? r.Query.GetAll("tag") : [];
        var (instances, filtered) = await blocking.RunAsync(r, () =>
        {
            var store = r.Store;
            var list = new List<(NodeInfo Node, ServiceRecord Service)>();
            var cut = false;
            var any = false;
            foreach (var node in store.NodesByName.Where(n => ReadGuards.NodeMetaMatches(r, n.Node)))
            {
                foreach (var service in lookup.InstancesOn(store, node, name).OrderBy(s => s.Id, StringComparer.Ordinal))
                {
                    any = true;
                    if (!ReadGuards.TagsMatch(service, tags))
                    {
                        continue;
                    }

                    if (!authorizer.Allows(ConsulTestAclResource.Service, service.Name, ConsulTestAclAccess.Read)
                        || !authorizer.Allows(ConsulTestAclResource.Node, node.Node.Name, ConsulTestAclAccess.Read))
                    {
                        cut = true;
                        continue;
                    }

                    if (filter.Matches((node.Node, service), Selectors.CatalogService))
                    {
                        list.Add((node.Node, service));
                    }
                }
            }

            return (lookup.CatalogIndex(store, name, any), (CatalogNodeEndpoints.SortNear(r, list, p => p.Node.Name), cut));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var (node, service) in instances)
            {
                ModelWriter.WriteCatalogService(w, node, service);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }
}
