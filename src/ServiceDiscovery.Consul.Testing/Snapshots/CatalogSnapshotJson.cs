// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

using static ServiceDiscovery.Consul.Testing.Snapshots.StateFields;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// The <c>Catalog</c> part of <c>state.bin</c>: the table indexes, the per-service indexes, the extinction indexes,
/// every node (identity, tagged addresses and meta as stored, datacenter, whether it came from
/// <c>/v1/catalog/register</c>, indexes) with its services (<c>structs.NodeService</c> as the catalog answers them)
/// and checks (status, output, type, interval and timeout texts as the catalog holds them, service links, indexes),
/// and the coordinates. Reading names the first field that is missing or of the wrong type.
/// </summary>
internal static class CatalogSnapshotJson
{
    private static readonly string EmptyProxy = new ProxyConfig().Fingerprint();

    public static void Write(Utf8JsonWriter w, CatalogTables tables)
    {
        w.WriteStartObject("Catalog");
        w.WriteNumber("NodesTableIndex", tables.NodesTableIndex);
        w.WriteNumber("ServicesTableIndex", tables.ServicesTableIndex);
        w.WriteNumber("ChecksTableIndex", tables.ChecksTableIndex);
        w.WriteNumber("ExtinctionIndex", tables.ExtinctionIndex);
        w.WriteNumber("NodeExtinctionIndex", tables.NodeExtinctionIndex);
        w.WriteStartObject("ServiceIndexes");
        foreach (var (name, index) in tables.ServiceIndexes.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(name, index);
        }

        w.WriteEndObject();
        w.WriteStartArray("Nodes");
        foreach (var rows in tables.Nodes)
        {
            WriteNode(w, rows);
        }

        w.WriteEndArray();
        w.WriteNumber("CoordinatesIndex", tables.CoordinatesIndex);
        w.WriteStartArray("Coordinates");
        foreach (var (node, segment, coordinate) in tables.Coordinates)
        {
            w.WriteStartObject();
            w.WriteString("Node", node);
            w.WriteString("Segment", segment);
            w.WriteStartArray("Vec");
            foreach (var component in coordinate.Vec)
            {
                w.WriteNumberValue(component);
            }

            w.WriteEndArray();
            w.WriteNumber("Error", coordinate.Error);
            w.WriteNumber("Adjustment", coordinate.Adjustment);
            w.WriteNumber("Height", coordinate.Height);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Decodes the <c>Catalog</c> object.</summary>
    /// <exception cref="FormatException">A field is missing or of the wrong type.</exception>
    public static CatalogTables Read(JsonObject catalog) => new(
        Number(catalog, "NodesTableIndex"),
        Number(catalog, "ServicesTableIndex"),
        Number(catalog, "ChecksTableIndex"),
        Number(catalog, "ExtinctionIndex"),
        Number(catalog, "NodeExtinctionIndex"),
        Object(catalog, "ServiceIndexes").ToDictionary(
            p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out ulong i) ? i : throw Invalid($"Catalog.ServiceIndexes.{p.Key}", "a number"), StringComparer.Ordinal),
        [.. Array(catalog, "Nodes").Select(ReadNode)],
        Number(catalog, "CoordinatesIndex"),
        [.. Array(catalog, "Coordinates").Select(ReadCoordinate)]);

    private static void WriteNode(Utf8JsonWriter w, CatalogNodeRows rows)
    {
        var n = rows.Node;
        w.WriteStartObject();
        w.WriteString("Node", n.Name);
        w.WriteString("ID", n.Id);
        w.WriteString("Address", n.Address);
        w.WriteString("Datacenter", n.Datacenter);
        Map(w, "TaggedAddresses", n.Tagged);
        Map(w, "Meta", n.Meta);
        w.WriteBoolean("External", n.IsExternal);
        w.WriteNumber("CreateIndex", n.CreateIndex);
        w.WriteNumber("ModifyIndex", n.ModifyIndex);
        w.WriteNumber("Touched", rows.Touched);
        w.WriteStartArray("Services");
        foreach (var service in rows.Services)
        {
            ModelWriter.WriteNodeService(w, service);
        }

        w.WriteEndArray();
        w.WriteStartArray("Checks");
        foreach (var c in rows.Checks)
        {
            w.WriteStartObject();
            w.WriteString("CheckID", c.CheckId);
            w.WriteString("Name", c.Name);
            w.WriteString("Status", c.CatalogStatus);
            w.WriteString("Notes", c.Notes);
            w.WriteString("Output", c.CatalogOutput);
            w.WriteString("ServiceID", c.ServiceId);
            w.WriteString("ServiceName", c.ServiceName);
            ModelWriter.WriteStrings(w, "ServiceTags", c.ServiceTags);
            w.WriteString("Type", c.Type);
            w.WriteString("Interval", c.IntervalText);
            w.WriteString("Timeout", c.TimeoutText);
            w.WriteNumber("CreateIndex", c.CreateIndex);
            w.WriteNumber("ModifyIndex", c.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static CatalogNodeRows ReadNode(JsonNode? item)
    {
        var o = item as JsonObject ?? throw Invalid("Catalog.Nodes[]", "an object");
        var node = new NodeInfo(Text(o, "Node"), Text(o, "ID"), Text(o, "Address"), Text(o, "Datacenter"), Number(o, "CreateIndex"))
        {
            Tagged = MapOf(o, "TaggedAddresses"),
            Meta = MapOf(o, "Meta"),
            IsExternal = o["External"] is JsonValue e && e.TryGetValue(out bool external) ? external : throw Invalid("Catalog.Nodes[].External", "a boolean"),
            ModifyIndex = Number(o, "ModifyIndex"),
        };
        return new CatalogNodeRows(node, Number(o, "Touched"), [.. Array(o, "Services").Select(ReadService)], [.. Array(o, "Checks").Select(ReadCheck)]);
    }

    private static ServiceRecord ReadService(JsonNode? item)
    {
        var o = item as JsonObject ?? throw Invalid("Catalog.Nodes[].Services[]", "an object");
        var definition = ParseService(o);

        // A NodeService always prints a Proxy; an empty one stands for none, so a restored row equals the agent's own
        // registration of it and anti-entropy finds it in sync.
        if (definition.Proxy is { } proxy && proxy.Fingerprint() == EmptyProxy)
        {
            var withoutProxy = (JsonObject)o.DeepClone();
            withoutProxy.Remove("Proxy");
            definition = ParseService(withoutProxy);
        }

        var service = RegistrationRecords.CatalogService(definition.Id.Length > 0 ? definition.Id : definition.Name, definition);
        service.CreateIndex = Number(o, "CreateIndex");
        service.ModifyIndex = Number(o, "ModifyIndex");
        return service;
    }

    private static ServiceDefinition ParseService(JsonObject o)
    {
        try
        {
            using var document = JsonDocument.Parse(o.ToJsonString());
            return CatalogRequestReaders.ReadService(document.RootElement);
        }
        catch (JsonDecodeException ex)
        {
            throw new FormatException($"state.bin field Catalog.Nodes[].Services[] is not a service: {ex.Message}", ex);
        }
    }

    private static CheckRecord ReadCheck(JsonNode? item)
    {
        var o = item as JsonObject ?? throw Invalid("Catalog.Nodes[].Checks[]", "an object");
        var status = Text(o, "Status");
        var output = Text(o, "Output");
        return new CheckRecord
        {
            CheckId = Text(o, "CheckID"),
            Name = Text(o, "Name"),
            Notes = Text(o, "Notes"),
            ServiceId = Text(o, "ServiceID"),
            ServiceName = Text(o, "ServiceName"),
            ServiceTags = [.. Array(o, "ServiceTags").Select(t => t is JsonValue v && v.TryGetValue(out string? tag) ? tag : throw Invalid("ServiceTags[]", "a string"))],
            Type = Text(o, "Type"),
            CatalogTexts = (Text(o, "Interval"), Text(o, "Timeout")),
            Status = status,
            Output = output,
            CatalogStatus = status,
            CatalogOutput = output,
            CreateIndex = Number(o, "CreateIndex"),
            ModifyIndex = Number(o, "ModifyIndex"),
        };
    }

    private static (string Node, string Segment, NetworkCoordinate Coordinate) ReadCoordinate(JsonNode? item)
    {
        var o = item as JsonObject ?? throw Invalid("Catalog.Coordinates[]", "an object");
        var vec = Array(o, "Vec").Select(c => c is JsonValue v && v.TryGetValue(out double d) ? d : throw Invalid("Catalog.Coordinates[].Vec[]", "a number")).ToArray();
        return (Text(o, "Node"), Text(o, "Segment"), new NetworkCoordinate(vec, Real(o, "Error"), Real(o, "Adjustment"), Real(o, "Height")));
    }

    private static double Real(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue(out double d) ? d : throw Invalid($"Catalog.Coordinates[].{name}", "a number");
}
