// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The catalog as a snapshot holds it (Consul's FSM writes every node with its services and checks, the coordinates
/// and the table indexes): each node with the rows on it, the per-service and table indexes, the extinction indexes
/// and the coordinates table.
/// </summary>
internal sealed record CatalogTables(
    ulong NodesTableIndex,
    ulong ServicesTableIndex,
    ulong ChecksTableIndex,
    ulong ExtinctionIndex,
    ulong NodeExtinctionIndex,
    IReadOnlyDictionary<string, ulong> ServiceIndexes,
    IReadOnlyList<CatalogNodeRows> Nodes,
    ulong CoordinatesIndex,
    IReadOnlyList<(string Node, string Segment, NetworkCoordinate Coordinate)> Coordinates);

/// <summary>One node of <see cref="CatalogTables"/>: its identity, the index of the last write that touched it, its service instances and checks.</summary>
internal sealed record CatalogNodeRows(NodeInfo Node, ulong Touched, IReadOnlyList<ServiceRecord> Services, IReadOnlyList<CheckRecord> Checks);
