// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// One JSON object read the way Go's <c>json.Decoder</c> with <c>DisallowUnknownFields</c> reads a struct:
/// keys match field names case-insensitively (an exact match wins), the last duplicate wins, an unknown key is
/// an error, and <c>null</c> leaves a field at its zero value. Typed getters raise Go's type-mismatch texts.
/// </summary>
internal sealed class StrictObject
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private readonly string _structName;

    private StrictObject(string structName) => _structName = structName;

    /// <summary>Reads <paramref name="element"/> against the struct's field names (canonical spelling first in each alias group).</summary>
    public static StrictObject Read(JsonElement element, string structName, IReadOnlyDictionary<string, string> fieldsByKey) =>
        Read(element, structName, fieldsByKey, ignoreUnknown: false);

    /// <summary>
    /// Reads <paramref name="element"/> as a plain <c>json.Unmarshal</c> does, for Consul's structs whose
    /// <c>UnmarshalJSON</c> decodes without <c>DisallowUnknownFields</c>: unknown keys are ignored, everything else
    /// (case-insensitive match, type errors) is as <see cref="Read(JsonElement, string, IReadOnlyDictionary{string, string})"/>.
    /// </summary>
    public static StrictObject ReadLenient(JsonElement element, string structName, IReadOnlyDictionary<string, string> fieldsByKey) =>
        Read(element, structName, fieldsByKey, ignoreUnknown: true);

    private static StrictObject Read(JsonElement element, string structName, IReadOnlyDictionary<string, string> fieldsByKey, bool ignoreUnknown)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonDecodeException($"json: cannot unmarshal {GoKind(element)} into Go value of type structs.{structName}");
        }

        var result = new StrictObject(structName);
        foreach (var property in element.EnumerateObject())
        {
            if (!fieldsByKey.TryGetValue(property.Name, out var field))
            {
                field = null;
                foreach (var (key, canonical) in fieldsByKey)
                {
                    if (string.Equals(key, property.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        field = canonical;
                        break;
                    }
                }

                if (field is null && ignoreUnknown)
                {
                    continue;
                }

                if (field is null)
                {
                    throw new JsonDecodeException($"json: unknown field \"{property.Name}\"");
                }
            }

            result._values[field] = property.Value;
        }

        return result;
    }

    /// <summary>Builds the key → canonical field map from alias groups such as <c>("EnableTagOverride", "enable_tag_override")</c>.</summary>
    public static Dictionary<string, string> Fields(params string[][] groups)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            foreach (var key in group)
            {
                map[key] = group[0];
            }
        }

        return map;
    }

    public bool Has(string field) => _values.TryGetValue(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Raw(string field) => _values.TryGetValue(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string GetString(string field)
    {
        if (Raw(field) is not { } v)
        {
            return string.Empty;
        }

        return v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Mismatch(v, field, "string");
    }

    public int GetInt(string field)
    {
        if (Raw(field) is not { } v)
        {
            return 0;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : throw Mismatch(v, field, "int");
    }

    public bool GetBool(string field)
    {
        if (Raw(field) is not { } v)
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Mismatch(v, field, "bool"),
        };
    }

    /// <summary>A duration: a Go duration string or a number of nanoseconds.</summary>
    public GoDuration GetDuration(string field)
    {
        if (Raw(field) is not { } v)
        {
            return default;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            return GoDuration.FromJsonNumber(v);
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            var text = v.GetString()!;
            return GoDuration.TryParse(text, out var d, out var error) ? d : throw new JsonDecodeException(error);
        }

        // CheckType.UnmarshalJSON reads durations into interface{}: other JSON kinds are silently ignored.
        return default;
    }

    public List<string> GetStringList(string field)
    {
        var list = new List<string>();
        if (Raw(field) is not { } v)
        {
            return list;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(v, field, "[]string");
        }

        foreach (var item in v.EnumerateArray())
        {
            list.Add(item.ValueKind switch
            {
                JsonValueKind.String => item.GetString()!,
                JsonValueKind.Null => string.Empty,
                _ => throw Mismatch(item, field, "string"),
            });
        }

        return list;
    }

    public Dictionary<string, string> GetStringMap(string field)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Raw(field) is not { } v)
        {
            return map;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(v, field, "map[string]string");
        }

        foreach (var p in v.EnumerateObject())
        {
            map[p.Name] = p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Null => string.Empty,
                _ => throw Mismatch(p.Value, field, "string"),
            };
        }

        return map;
    }

    public Dictionary<string, List<string>> GetHeaderMap(string field)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (Raw(field) is not { } v)
        {
            return map;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Mismatch(v, field, "map[string][]string");
        }

        foreach (var p in v.EnumerateObject())
        {
            var values = new List<string>();
            if (p.Value.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in p.Value.EnumerateArray())
                {
                    values.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : throw Mismatch(item, field, "string"));
                }
            }
            else if (p.Value.ValueKind != JsonValueKind.Null)
            {
                throw Mismatch(p.Value, field, "[]string");
            }

            map[p.Name] = values;
        }

        return map;
    }

    /// <summary>Go's text for a JSON value of the wrong kind.</summary>
    public JsonDecodeException Mismatch(JsonElement value, string field, string goType) =>
        new($"json: cannot unmarshal {GoKind(value)} into Go struct field {_structName}.{field} of type {goType}");

    internal static string GoKind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };
}
