// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// The key handling of Consul's <c>structs.DecodeConfigEntry</c>: the body, read as a map, is decoded by
/// <c>mapstructure</c> into the kind's struct (<see cref="ConfigEntrySchema"/>). At every struct level the snake-case
/// aliases are first translated to the field name (an alias is dropped when the field's own name is also present),
/// then each field takes the key spelled exactly as its name, else the first key equal to it ignoring case. Keys no
/// field took are "unused": their path (<c>Listeners[0].Services[1].Bogus</c>) is collected, a nested struct's before
/// its parent's own, and every unused path but the top level's <c>CreateIndex</c>, <c>ModifyIndex</c> and
/// <c>Kind</c> is an error. Keys that were taken are renamed to the field's name, so the entry is stored as Consul
/// stores it (<c>"protocol"</c> becomes <c>Protocol</c>).
/// </summary>
internal static class ConfigEntryKeys
{
    /// <summary>
    /// Renames the entry's keys to Consul's field names and returns Consul's error for the keys no field takes
    /// (go-multierror's text: <c>1 error occurred:\n\t* invalid config key "X"\n\n</c>), or null when all are taken or
    /// the kind's keys are not checked.
    /// </summary>
    public static string? Canonicalize(string kind, JsonObject entry)
    {
        if (!ConfigEntrySchema.TryGetKind(kind, out var root))
        {
            return null;
        }

        var unused = new List<string>();
        Walk(root, entry, string.Empty, unused);
        var errors = unused.Where(k => k is not ("CreateIndex" or "ModifyIndex" or "Kind" or "kind")).Select(Describe).ToList();
        return errors.Count == 0
            ? null
            : $"{errors.Count} error{(errors.Count == 1 ? string.Empty : "s")} occurred:\n\t* {string.Join("\n\t* ", errors)}\n\n";
    }

    /// <summary>validateUnusedKeys (config_entry_ce.go): CE names the Enterprise features behind some keys.</summary>
    private static string Describe(string key)
    {
        var lower = key.ToLowerInvariant();
        return lower.EndsWith("namespace", StringComparison.Ordinal)
            ? $"invalid config key {GoString.Quote(key)}, namespaces are a consul enterprise feature"
            : lower.Contains("jwt", StringComparison.Ordinal)
                ? $"invalid config key {GoString.Quote(key)}, api-gateway jwt validation is a consul enterprise feature"
                : $"invalid config key {GoString.Quote(key)}";
    }

    private static void Walk(ConfigStruct shape, JsonObject obj, string path, List<string> unused)
    {
        var properties = Translate(shape, obj);
        var taken = new bool[properties.Count];
        foreach (var field in shape.Fields)
        {
            var at = properties.FindIndex(p => string.Equals(p.Key, field.Name, StringComparison.Ordinal));
            if (at < 0)
            {
                at = properties.FindIndex(p => string.Equals(p.Key, field.Name, StringComparison.OrdinalIgnoreCase));
            }

            if (at < 0 || taken[at])
            {
                continue;
            }

            taken[at] = true;
            properties[at] = new(field.Name, properties[at].Value);
            Descend(field, properties[at].Value, path.Length == 0 ? field.Name : path + "." + field.Name, unused);
        }

        for (var i = 0; i < properties.Count; i++)
        {
            if (!taken[i])
            {
                unused.Add(path.Length == 0 ? properties[i].Key : path + "." + properties[i].Key);
            }
        }

        obj.Clear();
        foreach (var (key, value) in properties)
        {
            obj[key] = value;
        }
    }

    private static void Descend(ConfigField field, JsonNode? value, string path, List<string> unused)
    {
        switch (field.Shape)
        {
            case ConfigEntrySchema.Shape.Struct when value is JsonObject o:
                Walk(ConfigEntrySchema.Struct(field.StructName), o, path, unused);
                break;

            // HookWeakDecodeFromSlice: a list holding one object decodes into a struct field.
            case ConfigEntrySchema.Shape.Struct when value is JsonArray { Count: 1 } a && a[0] is JsonObject single:
                Walk(ConfigEntrySchema.Struct(field.StructName), single, path, unused);
                break;
            case ConfigEntrySchema.Shape.StructList when value is JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is JsonObject item)
                    {
                        Walk(ConfigEntrySchema.Struct(field.StructName), item, $"{path}[{i}]", unused);
                    }
                }

                break;

            // Weakly typed input: one object where a list is expected is a list of one.
            case ConfigEntrySchema.Shape.StructList when value is JsonObject lone:
                Walk(ConfigEntrySchema.Struct(field.StructName), lone, path + "[0]", unused);
                break;
            case ConfigEntrySchema.Shape.StructMap when value is JsonObject map:
                foreach (var (key, item) in map)
                {
                    if (item is JsonObject itemObject)
                    {
                        Walk(ConfigEntrySchema.Struct(field.StructName), itemObject, $"{path}[{key}]", unused);
                    }
                }

                break;
        }
    }

    /// <summary>lib/decode HookTranslateKeys: aliases (any case) become the field's name unless that name is also present.</summary>
    private static List<KeyValuePair<string, JsonNode?>> Translate(ConfigStruct shape, JsonObject obj)
    {
        var result = new List<KeyValuePair<string, JsonNode?>>(obj.Count);
        foreach (var (key, value) in obj)
        {
            if (!shape.Aliases.TryGetValue(key.ToLowerInvariant(), out var canonical))
            {
                result.Add(new(key, value));
            }
            else if (!obj.ContainsKey(canonical) || key == canonical)
            {
                result.Add(new(canonical, value));
            }
        }

        return result;
    }
}
