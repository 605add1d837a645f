// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Filtering;

/// <summary>The selectors <c>?filter=</c> accepts on each endpoint, named as Consul's structs name them.</summary>
internal static class Selectors
{
    private static readonly ServiceRecord PrototypeService = new() { Id = string.Empty, Name = string.Empty };
    private static readonly CheckRecord PrototypeCheck = new() { CheckId = string.Empty, Name = string.Empty };
    private static readonly NodeInfo PrototypeNode = new(string.Empty, string.Empty, string.Empty, string.Empty, 0);

    public static bool IsValidHealth(IReadOnlyList<string> path) =>
        Health(new HealthEntry(PrototypeNode, PrototypeService, [PrototypeCheck]), path) is not null;

    public static bool IsValidAgentService(IReadOnlyList<string> path) => AgentService((PrototypeService, string.Empty), path) is not null;

    public static bool IsValidCheck(IReadOnlyList<string> path) => Check((PrototypeCheck, string.Empty), path) is not null;

    public static bool IsValidCatalogService(IReadOnlyList<string> path) => CatalogService((PrototypeNode, PrototypeService), path) is not null;

    public static bool IsValidNode(IReadOnlyList<string> path) => CatalogNode(PrototypeNode, path) is not null;

    public static bool IsValidNodeService(IReadOnlyList<string> path) => NodeService(PrototypeService, path) is not null;

    /// <summary>Selectors of <c>structs.Node</c> (<c>/v1/catalog/nodes</c>).</summary>
    public static IReadOnlyList<FilterValue>? CatalogNode(NodeInfo node, IReadOnlyList<string> path) => path.Count == 0 ? null : Node(node, path, "Meta");

    /// <summary>Selectors of <c>structs.NodeService</c> (<c>/v1/catalog/node/:node</c>).</summary>
    public static IReadOnlyList<FilterValue>? NodeServiceOf(ServiceRecord service, IReadOnlyList<string> path) => NodeService(service, path);

    public static IReadOnlyList<FilterValue>? Health(HealthEntry entry, IReadOnlyList<string> path)
    {
        if (path.Count < 2)
        {
            return null;
        }

        var rest = path.Skip(1).ToList();
        return path[0] switch
        {
            "Node" => Node(entry.Node, rest, "Meta"),
            "Service" => NodeService(entry.Service, rest),
            "Checks" => CheckList(entry.Checks, entry.Node.Name, rest),
            _ => null,
        };
    }

    public static IReadOnlyList<FilterValue>? AgentService((ServiceRecord Service, string Datacenter) item, IReadOnlyList<string> path) =>
        path is ["Datacenter"] ? [FilterValue.Of(item.Datacenter)] : NodeService(item.Service, path);

    public static IReadOnlyList<FilterValue>? Check((CheckRecord Check, string Node) item, IReadOnlyList<string> path) =>
        CheckList([item.Check], item.Node, path);

    public static IReadOnlyList<FilterValue>? CatalogService((NodeInfo Node, ServiceRecord Service) item, IReadOnlyList<string> path)
    {
        var (n, s) = item;
        if (path.Count == 0)
        {
            return null;
        }

        return path[0] switch
        {
            "ID" or "Node" or "Address" or "Datacenter" or "TaggedAddresses" when path.Count == 1 => Node(n, path, "NodeMeta"),
            "NodeMeta" => Node(n, ["Meta", .. path.Skip(1)], "Meta"),
            "ServiceKind" => One(s.Kind, path),
            "ServiceID" => One(s.Id, path),
            "ServiceName" => One(s.Name, path),
            "ServiceTags" => path.Count == 1 ? [FilterValue.Of(s.Tags)] : null,
            "ServiceAddress" => One(s.Address, path),
            "ServicePort" => path.Count == 1 ? [FilterValue.Of(s.Port)] : null,
            "ServiceEnableTagOverride" => path.Count == 1 ? [FilterValue.Of(s.EnableTagOverride)] : null,
            "ServiceMeta" => MapValue(s.Meta, path),
            _ => null,
        };
    }

    private static List<FilterValue>? One(string value, IReadOnlyList<string> path) => path.Count == 1 ? [FilterValue.Of(value)] : null;

    private static List<FilterValue>? MapValue(IReadOnlyDictionary<string, string> map, IReadOnlyList<string> path) => path.Count switch
    {
        1 => [FilterValue.Of(map)],
        2 => [FilterValue.Of(map.TryGetValue(path[1], out var v) ? v : string.Empty)],
        _ => null,
    };

    private static List<FilterValue>? Node(NodeInfo n, IReadOnlyList<string> path, string metaName)
    {
        _ = metaName;
        return path[0] switch
        {
            "ID" => One(n.Id, path),
            "Node" => One(n.Name, path),
            "Address" => One(n.Address, path),
            "Datacenter" => One(n.Datacenter, path),
            "TaggedAddresses" => MapValue(n.TaggedAddresses, path),
            "Meta" => MapValue(n.NodeMeta, path),
            _ => null,
        };
    }

    private static List<FilterValue>? NodeService(ServiceRecord s, IReadOnlyList<string> path)
    {
        if (path.Count == 0)
        {
            return null;
        }

        return path[0] switch
        {
            "Kind" => One(s.Kind, path),
            "ID" => One(s.Id, path),
            "Service" => One(s.Name, path),
            "Tags" => path.Count == 1 ? [FilterValue.Of(s.Tags)] : null,
            "Address" => One(s.Address, path),
            "Port" => path.Count == 1 ? [FilterValue.Of(s.Port)] : null,
            "SocketPath" => One(s.SocketPath, path),
            "EnableTagOverride" => path.Count == 1 ? [FilterValue.Of(s.EnableTagOverride)] : null,
            "Meta" => MapValue(s.Meta, path),
            "Weights" when path.Count == 2 && path[1] == "Passing" => [FilterValue.Of(s.WeightPassing)],
            "Weights" when path.Count == 2 && path[1] == "Warning" => [FilterValue.Of(s.WeightWarning)],
            _ => null,
        };
    }

    private static List<FilterValue>? CheckList(IReadOnlyList<CheckRecord> checks, string node, IReadOnlyList<string> path)
    {
        if (path.Count != 1)
        {
            return null;
        }

        Func<CheckRecord, FilterValue>? pick = path[0] switch
        {
            "Node" => _ => FilterValue.Of(node),
            "CheckID" => c => FilterValue.Of(c.CheckId),
            "Name" => c => FilterValue.Of(c.Name),
            "Status" => c => FilterValue.Of(c.CatalogStatus),
            "Notes" => c => FilterValue.Of(c.Notes),
            "Output" => c => FilterValue.Of(c.CatalogOutput),
            "ServiceID" => c => FilterValue.Of(c.ServiceId),
            "ServiceName" => c => FilterValue.Of(c.ServiceName),
            "ServiceTags" => c => FilterValue.Of(c.ServiceTags),
            "Type" => c => FilterValue.Of(c.Type),
            _ => null,
        };
        return pick is null ? null : [.. checks.Select(pick)];
    }
}
