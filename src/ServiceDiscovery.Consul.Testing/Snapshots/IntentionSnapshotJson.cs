// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

using static ServiceDiscovery.Consul.Testing.Snapshots.StateFields;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// The <c>Intentions</c> part of <c>state.bin</c>: the <c>service-intentions</c> entries (both APIs write them) with
/// every source as stored, legacy IDs, metadata and times included, and the table index.
/// </summary>
internal static class IntentionSnapshotJson
{
    public static void Write(Utf8JsonWriter w, IntentionStore store)
    {
        w.WriteStartObject("Intentions");
        w.WriteNumber("Index", store.Index);
        w.WriteStartArray("Entries");
        foreach (var entry in store.Entries)
        {
            w.WriteStartObject();
            w.WriteString("Name", entry.Name);
            Map(w, "Meta", entry.Meta);
            w.WritePropertyName("Extra");
            entry.Extra.WriteTo(w);
            w.WriteNumber("CreateIndex", entry.CreateIndex);
            w.WriteNumber("ModifyIndex", entry.ModifyIndex);
            w.WriteStartArray("Sources");
            foreach (var s in entry.Sources)
            {
                w.WriteStartObject();
                w.WriteString("Name", s.Name);
                w.WriteString("Action", s.Action);
                w.WritePropertyName("Permissions");
                if (s.Permissions is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    s.Permissions.WriteTo(w);
                }

                w.WriteString("Description", s.Description);
                w.WritePropertyName("LegacyID");
                if (s.LegacyId is null)
                {
                    w.WriteNullValue();
                }
                else
                {
                    w.WriteStringValue(s.LegacyId);
                }

                Map(w, "LegacyMeta", s.LegacyMeta);
                Time(w, "LegacyCreateTime", s.LegacyCreateTime);
                Time(w, "LegacyUpdateTime", s.LegacyUpdateTime);
                w.WritePropertyName("Extra");
                s.Extra.WriteTo(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Decodes the <c>Intentions</c> object.</summary>
    /// <exception cref="FormatException">A field is missing or of the wrong type.</exception>
    public static (IReadOnlyList<IntentionEntry> Entries, ulong Index) Read(JsonObject intentions)
    {
        var entries = (intentions["Entries"] as JsonArray ?? throw Invalid("Intentions.Entries", "an array")).Select(node =>
        {
            var o = node as JsonObject ?? throw Invalid("Intentions.Entries[]", "an object");
            return new IntentionEntry
            {
                Name = Text(o, "Name"),
                Meta = MapOf(o, "Meta"),
                Extra = (JsonObject)(o["Extra"] as JsonObject ?? throw Invalid("Extra", "an object")).DeepClone(),
                CreateIndex = Number(o, "CreateIndex"),
                ModifyIndex = Number(o, "ModifyIndex"),
                Sources = [.. (o["Sources"] as JsonArray ?? throw Invalid("Sources", "an array")).Select(ReadSource)],
            };
        }).ToList();
        return (entries, Number(intentions, "Index"));
    }

    private static IntentionSource ReadSource(JsonNode? node)
    {
        var o = node as JsonObject ?? throw Invalid("Sources[]", "an object");
        return new IntentionSource
        {
            Name = Text(o, "Name"),
            Action = Text(o, "Action"),
            Permissions = o["Permissions"] switch
            {
                null => null,
                JsonArray permissions => (JsonArray)permissions.DeepClone(),
                _ => throw Invalid("Permissions", "an array or null"),
            },
            Description = Text(o, "Description"),
            LegacyId = o["LegacyID"] is null ? null : Text(o, "LegacyID"),
            LegacyMeta = MapOf(o, "LegacyMeta"),
            LegacyCreateTime = TimeOf(o, "LegacyCreateTime"),
            LegacyUpdateTime = TimeOf(o, "LegacyUpdateTime"),
            Extra = (JsonObject)(o["Extra"] as JsonObject ?? throw Invalid("Extra", "an object")).DeepClone(),
        };
    }
}
