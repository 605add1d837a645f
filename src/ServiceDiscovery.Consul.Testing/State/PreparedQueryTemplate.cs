// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// prepared_query/template.go: a <c>name_prefix_match</c> template is rendered for the name it was looked up by. Every
/// string of its <c>Service</c> part may hold <c>${name.full}</c> (the name looked up), <c>${name.prefix}</c> (the
/// template's name), <c>${name.suffix}</c> (the rest), <c>${match(N)}</c> (group N of <c>Regexp</c> on the full name,
/// empty when it does not match) and <c>${agent.segment}</c> (empty: CE has the default segment only).
/// <c>RemoveEmptyTags</c> then drops tags left empty.
/// </summary>
internal static partial class PreparedQueryTemplate
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    public static bool IsTemplate(JsonObject query) => ((string?)query["Template"]?["Type"] ?? string.Empty).Length > 0;

    /// <summary>A copy of <paramref name="template"/> with its <c>Service</c> strings rendered for <paramref name="name"/>.</summary>
    public static JsonObject Render(JsonObject template, string name)
    {
        var query = template.DeepClone().AsObject();
        var prefix = (string?)query["Name"] ?? string.Empty;
        var pattern = (string?)query["Template"]!["Regexp"] ?? string.Empty;
        var groups = pattern.Length == 0 ? null : Regex.Match(name, pattern, RegexOptions.CultureInvariant, RegexTimeout) is { Success: true } m ? m.Groups : null;
        string Evaluate(Match variable) => variable.Groups["name"].Value switch
        {
            "name.full" => name,
            "name.prefix" => prefix,
            "name.suffix" => name[prefix.Length..],
            "agent.segment" => string.Empty,
            _ when variable.Groups["group"].Success => groups is not null && int.Parse(variable.Groups["group"].Value, System.Globalization.CultureInfo.InvariantCulture) is var n && n < groups.Count
                ? groups[n].Value : string.Empty,
            _ => variable.Value,
        };

        query["Service"] = RenderNode(query["Service"], Evaluate);
        if ((bool?)query["Template"]!["RemoveEmptyTags"] == true && query["Service"]!["Tags"] is JsonArray tags)
        {
            query["Service"]!["Tags"] = new JsonArray([.. tags.Where(t => ((string?)t ?? string.Empty).Length > 0).Select(t => t?.DeepClone())]);
        }

        return query;
    }

    private static JsonNode? RenderNode(JsonNode? node, MatchEvaluator evaluate) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, RenderNode(p.Value, evaluate)))),
        JsonArray a => new JsonArray([.. a.Select(x => RenderNode(x, evaluate))]),
        JsonValue v when v.TryGetValue<string>(out var text) => JsonValue.Create(Variable().Replace(text, evaluate)),
        _ => node?.DeepClone(),
    };

    [GeneratedRegex(@"\$\{\s*(?:match\(\s*(?<group>\d+)\s*\)|(?<name>[a-z.]+))\s*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
