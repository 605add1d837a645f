// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// The two JSON views of the intention store: the legacy <c>structs.Intention</c> (one source of one destination, with
/// its precedence) and the <c>service-intentions</c> config entry (a destination with its sources ordered by
/// precedence). Built under the store's lock.
/// </summary>
internal static class IntentionJson
{
    private static readonly DateTimeOffset ZeroTime = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static JsonObject Intention(Intention intention)
    {
        var source = intention.Source;
        var json = new JsonObject();
        if (source.LegacyId is { } id)
        {
            json["ID"] = id;
        }

        json["Description"] = source.Description;
        json["SourceNS"] = "default";
        json["SourceName"] = intention.SourceName;
        json["DestinationNS"] = "default";
        json["DestinationName"] = intention.DestinationName;
        json["SourceType"] = "consul";
        json["Action"] = source.Action;
        if (source.Permissions is { } permissions)
        {
            json["Permissions"] = permissions.DeepClone();
        }

        json["Meta"] = Map(source.LegacyMeta) ?? [];
        json["Precedence"] = intention.Precedence;
        json["CreatedAt"] = Endpoints.ServerClock.GoTime(source.LegacyCreateTime ?? ZeroTime);
        json["UpdatedAt"] = Endpoints.ServerClock.GoTime(source.LegacyUpdateTime ?? ZeroTime);
        json["Hash"] = Hash(intention);
        json["CreateIndex"] = intention.Entry.CreateIndex;
        json["ModifyIndex"] = intention.Entry.ModifyIndex;
        return json;
    }

    public static JsonArray Intentions(IEnumerable<Intention> intentions) => [.. intentions.Select(i => (JsonNode)Intention(i))];

    /// <summary>The config entry view: sources ordered by precedence (stable), each with its computed <c>Precedence</c> and <c>Type</c>.</summary>
    public static JsonObject Entry(IntentionEntry entry)
    {
        var sources = new JsonArray();
        foreach (var source in entry.Sources.Select(s => new Intention(entry, s)).OrderByDescending(i => i.Precedence).Select(i => i.Source))
        {
            var json = new JsonObject { ["Name"] = source.Name };
            if (source.Action.Length > 0)
            {
                json["Action"] = source.Action;
            }

            if (source.Permissions is { } permissions)
            {
                json["Permissions"] = permissions.DeepClone();
            }

            json["Precedence"] = new Intention(entry, source).Precedence;
            json["Type"] = "consul";
            AddIfSet(json, "Description", source.Description.Length > 0 ? source.Description : null);
            AddIfSet(json, "LegacyID", source.LegacyId);
            AddIfSet(json, "LegacyMeta", Map(source.LegacyMeta));
            AddIfSet(json, "LegacyCreateTime", source.LegacyCreateTime is { } created ? Endpoints.ServerClock.GoTime(created) : null);
            AddIfSet(json, "LegacyUpdateTime", source.LegacyUpdateTime is { } updated ? Endpoints.ServerClock.GoTime(updated) : null);
            foreach (var (key, value) in source.Extra)
            {
                json[key] = value?.DeepClone();
            }

            sources.Add((JsonNode)json);
        }

        var result = new JsonObject { ["Kind"] = "service-intentions", ["Name"] = entry.Name, ["Sources"] = sources };
        AddIfSet(result, "Meta", Map(entry.Meta));
        foreach (var (key, value) in entry.Extra)
        {
            result[key] = value?.DeepClone();
        }

        result["CreateIndex"] = entry.CreateIndex;
        result["ModifyIndex"] = entry.ModifyIndex;
        return result;
    }

    private static void AddIfSet(JsonObject json, string key, JsonNode? value)
    {
        if (value is not null)
        {
            json[key] = value;
        }
    }

    private static JsonObject? Map(Dictionary<string, string>? map) =>
        map is null ? null : new JsonObject(map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));

    /// <summary>A content hash that changes whenever the intention does (Consul's is a blake2b; clients only compare it).</summary>
    private static string Hash(Intention intention)
    {
        var text = $"{intention.SourceName}\n{intention.DestinationName}\n{intention.Source.Action}\n{intention.Source.Description}\n"
            + $"{intention.Source.Permissions?.ToJsonString()}\n{string.Join(',', intention.Source.LegacyMeta?.Select(p => $"{p.Key}={p.Value}") ?? [])}";
        return Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
