// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/coordinate/datacenters</c>, <c>/nodes</c>, <c>/node/:node</c> and <c>PUT /update</c> (agent/coordinate_endpoint.go)
/// for a single dev agent: its node sits at the Vivaldi origin (it has measured nobody), the WAN pool holds it as
/// <c>node.dc</c>, and updates apply at once instead of in Consul's 5-second batches.
/// </summary>
internal static class CoordinateEndpoints
{
    private static readonly Dictionary<string, string> UpdateFields = StrictObject.Fields(
        ["Datacenter"], ["Node"], ["Segment"], ["Coord"], ["Token"]);

    private static readonly Dictionary<string, string> CoordFields = StrictObject.Fields(["Vec"], ["Error"], ["Adjustment"], ["Height"]);

    public static void Map(Router router)
    {
        router.Add("/v1/coordinate/datacenters", ["GET"], DatacentersAsync);
        router.Add("/v1/coordinate/nodes", ["GET"], r => NodesAsync(r, node: null));
        router.Add("/v1/coordinate/node/", ["GET"], r => NodesAsync(r, r.Parameter));
        router.Add("/v1/coordinate/update", ["PUT"], UpdateAsync);
    }

    /// <summary>
    /// The WAN pool: each datacenter's server, nearest datacenter first. Its WAN member name is <c>node.dc</c>, but the
    /// servers' ListDatacenters strips the <c>.dc</c> suffix, so the answer names the node alone. A lone server measures
    /// nobody and sits at the origin; federated ones report the coordinate of their place on the simulated WAN.
    /// </summary>
    private static Task DatacentersAsync(AgentRequest r)
    {
        var areas = new List<(string Datacenter, string Server, NetworkCoordinate Coord)>();
        if (r.Wan is { } wan)
        {
            foreach (var dc in wan.ByDistanceFrom(r.Options.Datacenter))
            {
                lock (dc.Store.Sync)
                {
                    areas.Add((dc.Name, dc.Store.ServerNode.Node.Name, dc.Coordinate));
                }
            }
        }
        else
        {
            areas.Add((r.Options.Datacenter, r.Local.Node.Name, NetworkCoordinate.Origin));
        }

        return Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var (datacenter, server, coord) in areas)
            {
                w.WriteStartObject();
                w.WriteString("Datacenter", datacenter);
                w.WriteString("AreaID", "wan");
                w.WriteStartArray("Coordinates");
                w.WriteStartObject();
                w.WriteString("Node", server);
                w.WritePropertyName("Coord");
                WriteCoord(w, coord);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });
    }

    /// <summary><c>/nodes</c> lists every LAN coordinate; <c>/node/:node</c> the node's, or 404 with no body.</summary>
    private static async Task NodesAsync(AgentRequest r, string? node)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || !await ReadGuards.CheckEnterpriseParamsAsync(r, namespaces: false).ConfigureAwait(false))
        {
            return;
        }

        var hasSegment = r.Query.Has("segment");
        var segment = r.Query.Get("segment");
        var coordinates = await blocking.RunAsync(r, () => (r.Store.CoordinatesIndex, r.Store.Coordinates()
            .Where(c => (node is null || c.Node == node) && (!hasSegment || c.Segment == segment))
            .ToList())).ConfigureAwait(false);
        if (node is not null && coordinates.Count == 0)
        {
            r.Response.StatusCode = 404;
            r.Response.ContentLength = 0;
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var (name, seg, coord) in coordinates)
            {
                w.WriteStartObject();
                w.WriteString("Node", name);
                w.WriteString("Segment", seg);
                w.WritePropertyName("Coord");
                WriteCoord(w, coord);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task UpdateAsync(AgentRequest r)
    {
        (string Node, string Segment, NetworkCoordinate? Coord) update;
        try
        {
            update = ReadUpdate(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var error = update.Coord is not { IsValid: true } ? "invalid coordinate"
            : update.Coord.Vec.Count != NetworkCoordinate.Dimensionality ? "incompatible coordinate"
            : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Node, update.Node, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        lock (r.Store.Sync)
        {
            r.Store.UpdateCoordinate(update.Node, update.Segment, update.Coord!);
        }

        Responses.WriteEmpty(r.Context);
    }

    private static (string Node, string Segment, NetworkCoordinate? Coord) ReadUpdate(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var o = StrictObject.Read(document.RootElement, "CoordinateUpdateRequest", UpdateFields);
        NetworkCoordinate? coord = null;
        if (o.Raw("Coord") is { } c)
        {
            var co = StrictObject.Read(c, "Coordinate", CoordFields);
            var vec = co.Raw("Vec") is { ValueKind: JsonValueKind.Array } v ? v.EnumerateArray().Select(e => Number(co, e, "Vec")).ToList() : [];
            coord = new NetworkCoordinate(vec, Field(co, "Error"), Field(co, "Adjustment"), Field(co, "Height"));
        }

        return (o.GetString("Node"), o.GetString("Segment"), coord);
    }

    private static double Field(StrictObject o, string name) => o.Raw(name) is { } e ? Number(o, e, name) : 0;

    private static double Number(StrictObject o, JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw o.Mismatch(e, field, "float64");

    private static void WriteCoord(Utf8JsonWriter w, NetworkCoordinate c)
    {
        w.WriteStartObject();
        w.WriteStartArray("Vec");
        foreach (var x in c.Vec)
        {
            w.WriteRawValue(GoFloat.Format(x));
        }

        w.WriteEndArray();
        w.WritePropertyName("Error");
        w.WriteRawValue(GoFloat.Format(c.Error));
        w.WritePropertyName("Adjustment");
        w.WriteRawValue(GoFloat.Format(c.Adjustment));
        w.WritePropertyName("Height");
        w.WriteRawValue(GoFloat.Format(c.Height));
        w.WriteEndObject();
    }
}
