// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/health/service/:service</c> (§6), blocking on the service's own index, and its Connect and ingress
/// variants <c>/v1/health/connect/:service</c> and <c>/v1/health/ingress/:service</c> (see <see cref="ServiceLookup"/>).
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/health/service/", ["GET"], r => ServiceAsync(r, ServiceLookup.Service));
        router.Add("/v1/health/connect/", ["GET"], r => ServiceAsync(r, ServiceLookup.Connect));
        router.Add("/v1/health/ingress/", ["GET"], r => ServiceAsync(r, ServiceLookup.Ingress));
    }

    private static async Task ServiceAsync(AgentRequest r, ServiceLookup lookup)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
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
            || await FilterParser.ParseAsync(r, Selectors.IsValidHealth).ConfigureAwait(false) is not { } filter
            || (lookup.RequiresServiceRead && !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, name, ConsulTestAclAccess.Read).ConfigureAwait(false)))
        {
            return;
        }

        var tags = lookup.FiltersTags ? r.Query.GetAll("tag") : [];
        var (entries, filtered) = await blocking.RunAsync(r, () =>
        {
            var store = r.Store;
            var list = new List<HealthEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var cut = false;
            foreach (var node in store.NodesByName.Where(n => ReadGuards.NodeMetaMatches(r, n.Node)))
            {
                var nodeChecks = node.Checks.Values.Where(c => c.ServiceId.Length == 0 && c.IsInCatalog).ToList();
                foreach (var service in lookup.InstancesOn(store, node, name).OrderBy(s => s.Id, StringComparer.Ordinal))
                {
                    names.Add(service.Name);
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

                    // Snapshot the catalog copy now: the checks are mutable and the body is written after the lock.
                    var checks = nodeChecks.Concat(node.Checks.Values.Where(c => c.ServiceId == service.Id && c.IsInCatalog))
                        .Select(Snapshot).ToList();
                    var entry = new HealthEntry(node.Node, service, checks);
                    if (filter.Matches(entry, Selectors.Health))
                    {
                        list.Add(entry);
                    }
                }
            }

            return (lookup.HealthIndex(store, name, names), (CatalogNodeEndpoints.SortNear(r, list, e => e.Node.Name), cut));
        }).ConfigureAwait(false);

        if (!r.Query.TryGetBool("passing", out var passingOnly))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Invalid value for ?passing").ConfigureAwait(false);
            return;
        }

        if (passingOnly)
        {
            entries = [.. entries.Where(e => e.Checks.All(c => c.CatalogStatus == "passing"))];
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var e in entries)
            {
                WriteEntry(w, e);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    /// <summary>One structs.CheckServiceNode: <c>{Node, Service, Checks}</c>.</summary>
    internal static void WriteEntry(Utf8JsonWriter w, HealthEntry e)
    {
        w.WriteStartObject();
        w.WritePropertyName("Node");
        ModelWriter.WriteNode(w, e.Node);
        w.WritePropertyName("Service");
        ModelWriter.WriteNodeService(w, e.Service);
        w.WriteStartArray("Checks");
        foreach (var c in e.Checks)
        {
            ModelWriter.WriteCheck(w, c, e.Node.Name, catalog: true);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A copy of the catalog side of a check, safe to write after the lock is released.</summary>
    internal static CheckRecord Snapshot(CheckRecord c) => new()
    {
        CheckId = c.CheckId,
        Name = c.Name,
        Notes = c.Notes,
        ServiceId = c.ServiceId,
        ServiceName = c.ServiceName,
        ServiceTags = c.ServiceTags,
        Type = c.Type,
        Interval = c.Interval,
        Timeout = c.Timeout,
        CatalogTexts = c.CatalogTexts,
        CatalogStatus = c.CatalogStatus,
        CatalogOutput = c.CatalogOutput,
        CreateIndex = c.CreateIndex,
        ModifyIndex = c.ModifyIndex,
    };
}
