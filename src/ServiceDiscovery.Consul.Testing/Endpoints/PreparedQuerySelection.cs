// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// prepared_query_endpoint.go <c>execute</c>: a query's service instances in one datacenter, without critical ones (nor
/// warning ones with <c>OnlyPassing</c>; checks in <c>IgnoreCheckIDs</c> do not count), filtered by <c>NodeMeta</c>,
/// <c>ServiceMeta</c> and <c>Tags</c> (<c>!tag</c> excludes; case-insensitive). No ordering: callers shuffle.
/// </summary>
internal sealed class PreparedQuerySelection
{
    private readonly bool _onlyPassing;
    private readonly List<string> _ignored;
    private readonly List<string> _tags;
    private readonly Dictionary<string, string> _nodeMeta;
    private readonly Dictionary<string, string> _serviceMeta;

    public PreparedQuerySelection(JsonObject query)
    {
        var service = query[nameof(Service)]!;
        Service = (string)service[nameof(Service)]!;
        _onlyPassing = (bool)service["OnlyPassing"]!;
        _ignored = Strings(service["IgnoreCheckIDs"]);
        _tags = Strings(service["Tags"]);
        _nodeMeta = Map(service["NodeMeta"]);
        _serviceMeta = Map(service["ServiceMeta"]);
        var failover = service["Failover"]!;
        NearestN = failover[nameof(NearestN)]!.GetValue<int>();
        var targets = failover["Targets"] is JsonArray t && t.Count > 0
            ? [.. t.Select(x => (string?)x?["Datacenter"] ?? string.Empty).Where(dc => dc.Length > 0)]
            : Strings(failover["Datacenters"]);
        FailoverDatacenters = targets;
    }

    /// <summary>Gets the service the query looks for.</summary>
    public string Service { get; }

    /// <summary>Gets how many of the nearest other datacenters to try first when the local answer is empty.</summary>
    public int NearestN { get; }

    /// <summary>Gets the datacenters to try next, in order (<c>Failover.Datacenters</c>, or the datacenters of <c>Targets</c>).</summary>
    public IReadOnlyList<string> FailoverDatacenters { get; }

    /// <summary>Runs the selection on <paramref name="store"/>; the caller holds its lock.</summary>
    public (ulong Index, List<HealthEntry> Entries) Run(StateStore store)
    {
        var list = new List<HealthEntry>();
        foreach (var node in store.NodesByName.Where(x => _nodeMeta.All(m => x.Node.NodeMeta.TryGetValue(m.Key, out var v) && v == m.Value)))
        {
            foreach (var instance in store.InstancesOn(node, Service).OrderBy(s => s.Id, StringComparer.Ordinal))
            {
                if (!TagsMatch(instance) || !_serviceMeta.All(m => instance.Meta.TryGetValue(m.Key, out var v) && v == m.Value))
                {
                    continue;
                }

                var checks = node.Checks.Values.Where(c => c.IsInCatalog && (c.ServiceId.Length == 0 || c.ServiceId == instance.Id))
                    .Select(HealthEndpoints.Snapshot).ToList();
                var counted = checks.Where(c => !_ignored.Contains(c.CheckId)).ToList();
                if (counted.Any(c => c.CatalogStatus == "critical") || (_onlyPassing && counted.Any(c => c.CatalogStatus == "warning")))
                {
                    continue;
                }

                list.Add(new HealthEntry(node.Node, instance, checks));
            }
        }

        return (Math.Max(store.ServiceIndex(Service, checksTable: true), 1), list);
    }

    /// <summary>tagFilter: every plain tag present and no <c>!tag</c> present, case-insensitively.</summary>
    private bool TagsMatch(ServiceRecord service) => _tags.All(t =>
        t.StartsWith('!')
            ? !service.Tags.Any(s => string.Equals(s, t[1..], StringComparison.OrdinalIgnoreCase))
            : service.Tags.Any(s => string.Equals(s, t, StringComparison.OrdinalIgnoreCase)));

    private static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(x => x?.ToString() ?? string.Empty)] : [];

    private static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject o ? o.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal) : new(StringComparer.Ordinal);
}
