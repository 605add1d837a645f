// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

using static ServiceDiscovery.Consul.Testing.Snapshots.StateFields;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// <c>state.bin</c>: the agent's datacenter state as one JSON document (docs/test-agent.md, "Snapshots"): the Raft-like
/// index, the KV table (entries with their indexes, lock holders and base64 values; tombstones; table index), the
/// sessions table, prepared queries, config entries, the ACL tables (<see cref="AclSnapshotJson"/>), intentions
/// (<see cref="IntentionSnapshotJson"/>), the catalog (<see cref="CatalogSnapshotJson"/>) and the Connect CA
/// (<see cref="ConnectCaSnapshotJson"/>), each with its table indexes. Reading checks every field it needs and names
/// the first that is missing or of the wrong type.
/// </summary>
internal static class SnapshotStateJson
{
    /// <summary>The value of <c>Format</c>: a newer layout gets a new one, and an archive of another is refused.</summary>
    public const string Format = "ServiceDiscovery.Consul.Testing/2";

    private const long NanosPerTick = 100;

    /// <summary>Encodes the state of <paramref name="store"/>. The caller holds its lock, so the document is one consistent cut.</summary>
    public static byte[] Write(StateStore store)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("Format", Format);
            w.WriteNumber("Index", store.Index);
            WriteKv(w, store);
            WriteSessions(w, store);

            var queries = PreparedQueryStore.For(store);
            w.WriteStartObject("PreparedQueries");
            w.WriteNumber("Index", queries.Index);
            w.WriteStartObject("Queries");
            foreach (var (id, query) in queries.Queries)
            {
                w.WritePropertyName(id);
                query.WriteTo(w);
            }

            w.WriteEndObject();
            w.WriteEndObject();

            var entries = ConfigEntryTable.For(store);
            w.WriteStartObject("ConfigEntries");
            w.WriteNumber("Index", entries.Index);
            w.WriteStartArray("Entries");
            foreach (var entry in entries.Entries.OrderBy(e => e.Key.Kind, StringComparer.Ordinal).ThenBy(e => e.Key.Name, StringComparer.Ordinal))
            {
                entry.Value.WriteTo(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            AclSnapshotJson.Write(w, AclTables.For(store));
            IntentionSnapshotJson.Write(w, store.Intentions);
            CatalogSnapshotJson.Write(w, store.CatalogContent());
            ConnectCaSnapshotJson.Write(w, store.CurrentConnectCa);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Decodes a <c>state.bin</c>.</summary>
    /// <exception cref="FormatException">The document is not one this agent wrote; the message says what is wrong.</exception>
    public static SnapshotState Read(byte[] state)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(state);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"state.bin is not JSON: {ex.Message}", ex);
        }

        if (root is not JsonObject document)
        {
            throw new FormatException("state.bin is not a JSON object");
        }

        var format = Text(document, "Format");
        if (format != Format)
        {
            throw new FormatException($"state.bin has format \"{format}\"; this agent reads \"{Format}\"");
        }

        var kv = Object(document, "KV");
        var sessions = Object(document, "Sessions");
        var tables = new StoreTables(
            Number(document, "Index"),
            Number(kv, "TableIndex"),
            [.. Array(kv, "Entries").Select(ReadKvEntry)],
            Object(kv, "Tombstones").ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue(out ulong i) ? i : throw Invalid($"KV.Tombstones.{p.Key}", "a number")),
            Number(sessions, "TableIndex"),
            [.. Array(sessions, "Entries").Select(ReadSession)]);

        var (intentions, intentionsIndex) = IntentionSnapshotJson.Read(Object(document, "Intentions"));
        var queries = Object(document, "PreparedQueries");
        var entries = Object(document, "ConfigEntries");
        return new SnapshotState(
            tables,
            Number(queries, "Index"),
            Object(queries, "Queries").ToDictionary(p => p.Key, p => p.Value as JsonObject ?? throw Invalid($"PreparedQueries.Queries.{p.Key}", "an object"), StringComparer.Ordinal),
            Number(entries, "Index"),
            [.. Array(entries, "Entries").Select(e => e as JsonObject ?? throw Invalid("ConfigEntries.Entries[]", "an object"))],
            AclSnapshotJson.Read(Object(document, "ACL")),
            intentions,
            intentionsIndex,
            CatalogSnapshotJson.Read(Object(document, "Catalog")),
            ConnectCaSnapshotJson.Read(document["ConnectCA"]));
    }

    private static void WriteKv(Utf8JsonWriter w, StateStore store)
    {
        w.WriteStartObject("KV");
        w.WriteNumber("TableIndex", store.KvTableIndex);
        w.WriteStartArray("Entries");
        foreach (var entry in store.KeyValues.Values)
        {
            w.WriteStartObject();
            w.WriteString("Key", entry.Key);
            w.WriteBase64String("Value", entry.Value);
            w.WriteNumber("Flags", entry.Flags);
            w.WriteNumber("CreateIndex", entry.CreateIndex);
            w.WriteNumber("ModifyIndex", entry.ModifyIndex);
            w.WriteNumber("LockIndex", entry.LockIndex);
            w.WriteString("Session", entry.Session);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("Tombstones");
        foreach (var (key, index) in store.KvTombstones.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(key, index);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteSessions(Utf8JsonWriter w, StateStore store)
    {
        w.WriteStartObject("Sessions");
        w.WriteNumber("TableIndex", store.SessionsTableIndex);
        w.WriteStartArray("Entries");
        foreach (var s in store.Sessions)
        {
            w.WriteStartObject();
            w.WriteString("ID", s.Id);
            w.WriteString("Name", s.Name);
            w.WriteString("Node", s.Node);
            w.WriteNumber("LockDelay", s.LockDelayDuration.Nanoseconds);
            w.WriteString("Behavior", s.Behavior);
            w.WriteString("TTL", s.Ttl);
            w.WriteNumber("TTLDuration", s.TtlDuration.Ticks * NanosPerTick);
            WriteStrings(w, "NodeChecks", s.NodeChecks);
            WriteStrings(w, "Checks", s.Checks);
            if (s.ServiceChecks is { } serviceChecks)
            {
                w.WriteStartArray("ServiceChecks");
                foreach (var (id, ns) in serviceChecks)
                {
                    w.WriteStartObject();
                    w.WriteString("ID", id);
                    w.WriteString("Namespace", ns);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }
            else
            {
                w.WriteNull("ServiceChecks");
            }

            w.WriteNumber("CreateIndex", s.CreateIndex);
            w.WriteNumber("ModifyIndex", s.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static KvEntry ReadKvEntry(JsonNode? node)
    {
        var o = node as JsonObject ?? throw Invalid("KV.Entries[]", "an object");
        byte[] value;
        try
        {
            value = Convert.FromBase64String(Text(o, "Value"));
        }
        catch (FormatException)
        {
            throw Invalid("KV.Entries[].Value", "base64");
        }

        return new KvEntry(Text(o, "Key"), value, Number(o, "Flags"), Number(o, "CreateIndex"), Number(o, "ModifyIndex"), Number(o, "LockIndex"), Text(o, "Session"));
    }

    private static SessionRecord ReadSession(JsonNode? node)
    {
        var o = node as JsonObject ?? throw Invalid("Sessions.Entries[]", "an object");
        return new SessionRecord
        {
            Id = Text(o, "ID"),
            Name = Text(o, "Name"),
            Node = Text(o, "Node"),
            LockDelayDuration = new GoDuration((long)Number(o, "LockDelay")),
            Behavior = Text(o, "Behavior"),
            Ttl = Text(o, "TTL"),
            TtlDuration = TimeSpan.FromTicks((long)Number(o, "TTLDuration") / NanosPerTick),
            NodeChecks = Strings(o, "NodeChecks"),
            Checks = Strings(o, "Checks"),
            ServiceChecks = o["ServiceChecks"] is JsonArray checks
                ? [.. checks.Select(c => c as JsonObject ?? throw Invalid("Sessions.Entries[].ServiceChecks[]", "an object")).Select(c => (Text(c, "ID"), Text(c, "Namespace")))]
                : null,
            CreateIndex = Number(o, "CreateIndex"),
            ModifyIndex = Number(o, "ModifyIndex"),
        };
    }

    private static List<string>? Strings(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonArray values => [.. values.Select(v => v is JsonValue s && s.TryGetValue(out string? text) ? text : throw Invalid(name + "[]", "a string"))],
        _ => throw Invalid(name, "an array or null"),
    };
}
