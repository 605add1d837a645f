// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The prepared-query table of one datacenter (kept beside its <see cref="StateStore"/>; guarded by its lock).</summary>
internal sealed class PreparedQueryStore
{
    private static readonly ConditionalWeakTable<StateStore, PreparedQueryStore> Stores = new();

    public SortedDictionary<string, JsonObject> Queries { get; } = new(StringComparer.Ordinal);

    public ulong Index { get; set; }

    public static PreparedQueryStore For(StateStore store) => Stores.GetValue(store, _ => new PreparedQueryStore());

    /// <summary>By ID, else by exact name (templates by longest name prefix are not built).</summary>
    public JsonObject? Find(string idOrName) =>
        Queries.TryGetValue(idOrName, out var byId) ? byId
        : idOrName.Length == 0 ? null
        : Queries.Values.FirstOrDefault(q => (string?)q["Name"] == idOrName);
}
