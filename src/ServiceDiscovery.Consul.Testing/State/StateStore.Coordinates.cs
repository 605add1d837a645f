// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The coordinates table (state/coordinate.go): one LAN coordinate per node and segment, with its own index. A node's
/// coordinate goes with the node. Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    private readonly Dictionary<(string Node, string Segment), NetworkCoordinate> _coordinates = [];
    private ulong _coordinatesIndex;

    /// <summary>Gets the index of the coordinates table.</summary>
    public ulong CoordinatesIndex => Math.Max(_coordinatesIndex, ServerNode.Node.CreateIndex);

    /// <summary>The coordinates held, by node name then segment; the server's own node has the origin until told otherwise.</summary>
    public IEnumerable<(string Node, string Segment, NetworkCoordinate Coord)> Coordinates()
    {
        var all = new Dictionary<(string Node, string Segment), NetworkCoordinate>(_coordinates);
        all.TryAdd((ServerNode.Node.Name, string.Empty), NetworkCoordinate.Origin);
        return all.Where(p => _nodes.ContainsKey(p.Key.Node))
            .OrderBy(p => p.Key.Node, StringComparer.Ordinal).ThenBy(p => p.Key.Segment, StringComparer.Ordinal)
            .Select(p => (p.Key.Node, p.Key.Segment, p.Value));
    }

    /// <summary>Stores a node's coordinate (CoordinateBatchUpdate): an update for a node the catalog lacks is dropped.</summary>
    public void UpdateCoordinate(string node, string segment, NetworkCoordinate coordinate)
    {
        if (!_nodes.ContainsKey(node))
        {
            return;
        }

        _coordinates[(node, segment)] = coordinate;
        _coordinatesIndex = NextIndex();
        Changes.Publish();
    }

    private void RemoveCoordinates(string node, ulong index)
    {
        foreach (var key in _coordinates.Keys.Where(k => k.Node == node).ToList())
        {
            _coordinates.Remove(key);
            _coordinatesIndex = index;
        }
    }
}
