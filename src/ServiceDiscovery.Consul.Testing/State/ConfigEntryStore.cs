// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The config-entry table of one datacenter, every kind but <c>service-intentions</c> (which lives in the
/// <see cref="IntentionStore"/>): entries as applied, with <c>Kind</c>, <c>Name</c> and their indexes. Kept beside its
/// <see cref="StateStore"/> and guarded by its lock.
/// </summary>
internal sealed class ConfigEntryStore
{
    private static readonly ConditionalWeakTable<StateStore, ConfigEntryStore> Stores = new();

    public Dictionary<(string Kind, string Name), JsonObject> Entries { get; } = [];

    public ulong Index { get; set; }

    public static ConfigEntryStore For(StateStore store) => Stores.GetValue(store, _ => new ConfigEntryStore());
}
