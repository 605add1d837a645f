// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Endpoints;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// Saving and restoring a datacenter's state as <c>/v1/snapshot</c> does: a save is one consistent cut of the tables
/// the archive carries (the catalog and the Connect CA included), taken under the store's lock at its current index;
/// a restore checks the archive, decodes it in full before touching anything, then replaces those tables at once,
/// lets the leader reconcile the members' nodes and each running agent's anti-entropy write back the services and
/// checks it owns, and ends every blocking query (as Consul abandons the old state store).
/// </summary>
internal static class AgentSnapshot
{
    /// <summary>The raft term a dev server is in (see <c>/v1/operator/autopilot/health</c>).</summary>
    private const ulong Term = 2;

    /// <summary>Takes a snapshot; returns the index it was taken at and the archive.</summary>
    public static (ulong Index, byte[] Archive) Save(StateStore store, ConsulTestAgentOptions options)
    {
        var time = options.TimeProvider;
        ulong index;
        byte[] state;
        lock (store.Sync)
        {
            if (options.Acl.Enabled)
            {
                // The tokens and built-in policies a server writes at start are part of its state.
                AclTables.For(store).EnsureSeeded(options.Acl, time.GetUtcNow());
            }

            if (options.Connect.Enabled)
            {
                // A dev server's leader has bootstrapped its CA by the time anyone can ask for a snapshot.
                store.ConnectCa(options.Connect);
            }

            index = store.Index;
            state = SnapshotStateJson.Write(store);
        }

        var now = time.GetUtcNow();
        var meta = new SnapshotMeta
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"{Term}-{index}-{now.ToUnixTimeMilliseconds()}"),
            Index = index,
            Term = Term,
            ServerId = store.ServerNode.Node.Id,
            ServerAddress = StatusEndpoints.RaftAddress,
            ConfigurationIndex = 1,
        };
        return (index, SnapshotArchive.Write(meta, state, now));
    }

    /// <summary>Restores an archive; returns Consul's error text when it cannot, having changed nothing.</summary>
    public static string? Restore(StateStore store, byte[] archive)
    {
        SnapshotState state;
        try
        {
            var (_, bytes) = SnapshotArchive.Read(archive);
            state = SnapshotStateJson.Read(bytes);
        }
        catch (SnapshotArchiveException ex)
        {
            return ex.Message;
        }
        catch (FormatException ex)
        {
            return $"Raft error when restoring snapshot: failed to restore snapshot: {ex.Message}";
        }

        var entries = new Dictionary<(string Kind, string Name), System.Text.Json.Nodes.JsonObject>();
        foreach (var entry in state.ConfigEntries)
        {
            if (entry["Kind"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || entry["Name"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
            {
                state.ConnectCa?.Dispose();
                return "Raft error when restoring snapshot: failed to restore snapshot: state.bin field ConfigEntries.Entries[].Kind or Name is missing or not a string";
            }

            entries[((string)entry["Kind"]!, (string)entry["Name"]!)] = entry;
        }

        ConnectCa? ca;
        try
        {
            ca = state.ConnectCa is { } content ? ConnectCa.FromSnapshot(content) : null;
        }
        catch (FormatException ex)
        {
            return $"Raft error when restoring snapshot: failed to restore snapshot: {ex.Message}";
        }

        lock (store.Sync)
        {
            store.RestoreTables(state.Tables);
            store.RestoreCatalog(state.Catalog);

            var queries = PreparedQueryStore.For(store);
            queries.Queries.Clear();
            foreach (var (id, query) in state.PreparedQueries)
            {
                queries.Queries[id] = query;
            }

            queries.Index = state.PreparedQueriesIndex;

            var configEntries = ConfigEntryTable.For(store);
            configEntries.Entries.Clear();
            foreach (var (key, entry) in entries)
            {
                configEntries.Entries[key] = entry;
            }

            configEntries.Index = state.ConfigEntriesIndex;

            // A gateway's linked services date from its entry's own index once restored.
            configEntries.GatewayServicesIndexes.Clear();
            AclTables.For(store).Restore(state.Acl);
            store.Intentions.Restore(state.Intentions, state.IntentionsIndex);
            store.RestoreConnectCa(ca);

            // Each running agent's anti-entropy puts back what it owns; then the old state is abandoned.
            foreach (var agent in store.Agents.ToList())
            {
                agent.SyncAfterRestore();
            }

            store.Abandon();
        }

        store.Changes.Publish();
        return null;
    }
}
