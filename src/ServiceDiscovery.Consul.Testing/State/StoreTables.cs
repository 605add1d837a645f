// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The store's tables as a snapshot holds them.</summary>
internal sealed record StoreTables(
    ulong Index,
    ulong KvTableIndex,
    IReadOnlyList<KvEntry> Kv,
    IReadOnlyDictionary<string, ulong> KvTombstones,
    ulong SessionsTableIndex,
    IReadOnlyList<SessionRecord> Sessions);
