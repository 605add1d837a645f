// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>The datacenter state a snapshot archive carries (its <c>state.bin</c>), decoded.</summary>
internal sealed record SnapshotState(
    StoreTables Tables,
    ulong PreparedQueriesIndex,
    IReadOnlyDictionary<string, JsonObject> PreparedQueries,
    ulong ConfigEntriesIndex,
    IReadOnlyList<JsonObject> ConfigEntries,
    AclTablesContent Acl,
    IReadOnlyList<IntentionEntry> Intentions,
    ulong IntentionsIndex,
    CatalogTables Catalog,
    ConnectCaContent? ConnectCa);
