// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The configuration entries of one datacenter other than <c>service-intentions</c> (which live in the
/// <see cref="IntentionStore"/>), kept beside its <see cref="StateStore"/> and guarded by its lock.
/// </summary>
internal sealed class ConfigEntryTable
{
    private static readonly ConditionalWeakTable<StateStore, ConfigEntryTable> Tables = new();

    /// <summary>Gets the entries as stored (with <c>Kind</c>, <c>Name</c>, <c>CreateIndex</c>, <c>ModifyIndex</c>) by kind and name.</summary>
    public Dictionary<(string Kind, string Name), JsonObject> Entries { get; } = [];

    /// <summary>
    /// Gets, for each gateway entry, the index at which its linked services (ingress listeners, terminating services)
    /// last changed: Consul rewrites the gateway's service mappings only then, not on every write of the entry.
    /// </summary>
    public Dictionary<(string Kind, string Name), ulong> GatewayServicesIndexes { get; } = [];

    /// <summary>Gets or sets the index of the last write or delete of any entry in the table.</summary>
    public ulong Index { get; set; }

    public static ConfigEntryTable For(StateStore store) => Tables.GetValue(store, _ => new ConfigEntryTable());
}
