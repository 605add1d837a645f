// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// structs.PreparedQuery as JSON: decoded leniently (Go's case-insensitive field match, unknown fields ignored),
/// completed with Go's zero values, validated with the texts of consul/prepared_query_endpoint.go <c>parseQuery</c>.
/// </summary>
internal static class PreparedQueryModel
{
    public static JsonObject Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("json: cannot unmarshal " + root.ValueKind.ToString().ToLowerInvariant() + " into Go value of type structs.PreparedQuery");
        }

        var top = Fill(root, new JsonObject
        {
            ["ID"] = string.Empty, ["Name"] = string.Empty, ["Session"] = string.Empty, ["Token"] = string.Empty,
            ["Template"] = null, ["Service"] = null, ["DNS"] = null,
        });
        top["Template"] = Fill(top["Template"], new JsonObject { ["Type"] = string.Empty, ["Regexp"] = string.Empty, ["RemoveEmptyTags"] = false });
        var service = Fill(top["Service"], new JsonObject
        {
            ["Service"] = string.Empty, ["Failover"] = null, ["IgnoreCheckIDs"] = null, ["OnlyPassing"] = false, ["Near"] = string.Empty,
            ["Tags"] = null, ["NodeMeta"] = null, ["ServiceMeta"] = null, ["Peer"] = string.Empty, ["Connect"] = null,
        });
        service["Failover"] = Fill(service["Failover"], new JsonObject { ["NearestN"] = 0, ["Datacenters"] = null, ["Targets"] = null });
        service["Connect"] = Fill(service["Connect"], new JsonObject { ["Enabled"] = false });
        top["Service"] = service;
        top["DNS"] = Fill(top["DNS"], new JsonObject { ["TTL"] = string.Empty });
        return top;
    }

    /// <summary>What Consul's API shows in place of a stored query's token to a reader who may not see it.</summary>
    private const string RedactedToken = "<hidden>";

    /// <summary>
    /// The server's parseQuery (prepared_query_endpoint.go): an unnamed query bound to a session or a template, no
    /// redacted token pasted back, a service name, a non-negative NearestN, Targets alone, a parseable non-negative DNS
    /// TTL. Consul answers its texts behind <c>Invalid prepared query: </c>.
    /// </summary>
    public static string? Validate(JsonObject query)
    {
        if (((string?)query["Name"] ?? string.Empty).Length == 0 && !PreparedQueryTemplate.IsTemplate(query)
            && ((string?)query["Session"] ?? string.Empty).Length == 0)
        {
            return "Must be bound to a session";
        }

        if ((string?)query["Token"] == RedactedToken)
        {
            return $"Bad Token '{RedactedToken}', it looks like a query definition with a redacted token was submitted";
        }

        var service = query["Service"]!;
        if (((string?)service["Service"] ?? string.Empty).Length == 0)
        {
            return "Must provide a Service name to query";
        }

        var nearestN = service["Failover"]!["NearestN"]!.GetValue<int>();
        if (nearestN < 0)
        {
            return $"Bad NearestN '{nearestN}', must be >= 0";
        }

        var failover = service["Failover"]!;
        if ((nearestN != 0 || failover["Datacenters"] is JsonArray { Count: > 0 }) && failover["Targets"] is JsonArray { Count: > 0 })
        {
            return "Targets cannot be populated with NearestN or Datacenters";
        }

        var ttl = (string?)query["DNS"]!["TTL"] ?? string.Empty;
        if (ttl.Length > 0)
        {
            if (!GoDuration.TryParse(ttl, out var parsed, out var error))
            {
                return $"Bad DNS TTL '{ttl}': {error}";
            }

            if (parsed.Nanoseconds < 0)
            {
                return $"DNS TTL '{parsed}', must be >=0";
            }
        }

        return null;
    }

    /// <summary>
    /// The state store's checks when the query is written as <paramref name="id"/> (preparedQuerySetTxn): a unique name,
    /// one template with an empty name, a name that is not another query's ID, a live session. Consul answers its
    /// texts behind <c>raft apply failed: </c>.
    /// </summary>
    public static string? ValidateAgainstState(JsonObject query, string id, IReadOnlyDictionary<string, JsonObject> queries, StateStore store)
    {
        var name = (string?)query["Name"] ?? string.Empty;
        var others = queries.Values.Where(q => (string?)q["ID"] != id).ToList();
        if (name.Length > 0 && others.Any(q => (string?)q["Name"] == name))
        {
            return $"name '{name}' aliases an existing query name";
        }

        if (name.Length == 0 && PreparedQueryTemplate.IsTemplate(query) && others.Any(q => ((string?)q["Name"] ?? string.Empty).Length == 0 && PreparedQueryTemplate.IsTemplate(q)))
        {
            return "a query template with an empty name already exists";
        }

        if (Guid.TryParse(name, out _) && queries.ContainsKey(name))
        {
            return $"name '{name}' aliases an existing query ID";
        }

        var session = (string?)query["Session"] ?? string.Empty;
        return session.Length > 0 && store.Session(session) is null ? $"invalid session \"{session}\"" : null;
    }

    /// <summary>The field order of structs.PreparedQuery (ID first, the raft indexes last).</summary>
    public static JsonObject Ordered(JsonObject query)
    {
        var ordered = new JsonObject();
        foreach (var key in new[] { "ID", "Name", "Session", "Token", "Template", "Service", "DNS", "CreateIndex", "ModifyIndex" })
        {
            ordered[key] = query[key]?.DeepClone();
        }

        return ordered;
    }

    /// <summary>Copies the fields of <paramref name="source"/> (an element or node) onto <paramref name="defaults"/>, matching names case-insensitively.</summary>
    private static JsonObject Fill(object? source, JsonObject defaults)
    {
        var element = source switch
        {
            JsonElement e => e,
            JsonNode n => ParseElement(n.ToJsonString()),
            _ => default,
        };
        if (element.ValueKind != JsonValueKind.Object)
        {
            return defaults;
        }

        foreach (var property in element.EnumerateObject())
        {
            var key = defaults.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, property.Name, StringComparison.OrdinalIgnoreCase));
            if (key is not null && property.Value.ValueKind != JsonValueKind.Null)
            {
                defaults[key] = CheckKind(key, property.Value, defaults[key]);
            }
        }

        return defaults;
    }

    private static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonNode? CheckKind(string key, JsonElement value, JsonNode? current)
    {
        var expected = current?.GetValueKind();
        if (expected is JsonValueKind.String && value.ValueKind != JsonValueKind.String
            || expected is JsonValueKind.False or JsonValueKind.True && value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
            || expected is JsonValueKind.Number && value.ValueKind != JsonValueKind.Number)
        {
            throw new FormatException($"json: cannot unmarshal {value.ValueKind.ToString().ToLowerInvariant()} into Go struct field of type {key}");
        }

        return JsonNode.Parse(value.GetRawText());
    }
}
