// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/health/node/:node</c>, <c>/v1/health/checks/:service</c> and <c>/v1/health/state/:state</c>: lists of
/// catalog checks (<c>structs.HealthCheck</c>), blocking on the checks table index, which only moves forward and moves
/// with every check write and every service removal. A state other than any/passing/warning/critical matches nothing,
/// as Consul's state store does.
/// </summary>
internal static class HealthCheckEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/health/node/", ["GET"], r => ListAsync(r, "Missing node name", Node));
        router.Add("/v1/health/checks/", ["GET"], r => ListAsync(r, "Missing service name", Service));
        router.Add("/v1/health/state/", ["GET"], r => ListAsync(r, "Missing check state", State));
    }

    private static IEnumerable<(CatalogNode Node, CheckRecord Check)> Node(AgentRequest r, string name) =>
        r.Store.Nodes.TryGetValue(name, out var node)
            ? node.Checks.Values.Where(c => c.IsInCatalog).OrderBy(c => c.CheckId, StringComparer.Ordinal).Select(c => (node, c))
            : [];

    private static IEnumerable<(CatalogNode Node, CheckRecord Check)> Service(AgentRequest r, string name) =>
        AllChecks(r).Where(p => p.Check.ServiceName == name && p.Check.ServiceId.Length > 0 && ReadGuards.NodeMetaMatches(r, p.Node.Node));

    private static IEnumerable<(CatalogNode Node, CheckRecord Check)> State(AgentRequest r, string state) =>
        AllChecks(r).Where(p => (state == "any" || p.Check.CatalogStatus == state) && ReadGuards.NodeMetaMatches(r, p.Node.Node));

    private static IEnumerable<(CatalogNode Node, CheckRecord Check)> AllChecks(AgentRequest r) =>
        r.Store.NodesByName.SelectMany(n => n.Checks.Values.Where(c => c.IsInCatalog).OrderBy(c => c.CheckId, StringComparer.Ordinal).Select(c => (n, c)));

    private static async Task ListAsync(
        AgentRequest r, string missing, Func<AgentRequest, string, IEnumerable<(CatalogNode Node, CheckRecord Check)>> select)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var parameter = r.Parameter;
        if (parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, missing).ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidCheck).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var (checks, filtered) = await blocking.RunAsync(r, () =>
        {
            var matching = select(r, parameter)
                .Where(p => filter.Matches((p.Check, p.Node.Node.Name), Selectors.Check))
                .ToList();
            var readable = matching.Where(p => p.Check.ServiceId.Length > 0
                    ? authorizer.Allows(ConsulTestAclResource.Service, p.Check.ServiceName, ConsulTestAclAccess.Read)
                    : authorizer.Allows(ConsulTestAclResource.Node, p.Node.Node.Name, ConsulTestAclAccess.Read))
                .Select(p => (Node: p.Node.Node.Name, Check: HealthEndpoints.Snapshot(p.Check)))
                .ToList();
            return (r.Store.ChecksTableIndex, (CatalogNodeEndpoints.SortNear(r, readable, p => p.Node), readable.Count < matching.Count));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var (node, check) in checks)
            {
                ModelWriter.WriteCheck(w, check, node, catalog: true);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }
}
