// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Reads intention writes: a legacy <c>structs.Intention</c> body (strictly, as <c>decodeBody</c> does; the read-only
/// fields the Go client sends back are accepted and ignored) and a <c>service-intentions</c> config entry, with the
/// validation Consul applies (<c>Intention.Validate</c>, <c>ServiceIntentionsConfigEntry.Validate</c>).
/// </summary>
internal static class IntentionRequestReader
{
    private static readonly Dictionary<string, string> Fields = StrictObject.Fields(
        ["ID"], ["Description"], ["SourcePeer"], ["SourceNS"], ["SourceName"], ["DestinationNS"], ["DestinationName"], ["SourcePartition"],
        ["DestinationPartition"], ["SourceSamenessGroup"], ["SourceType"], ["Action"], ["Permissions"], ["Meta"], ["Precedence"], ["CreatedAt"],
        ["UpdatedAt"], ["Hash"], ["CreateIndex"], ["ModifyIndex"]);

    /// <summary>A legacy intention body: its ID, source and destination names, and the source it becomes.</summary>
    /// <exception cref="JsonDecodeException">The body is not a valid intention document.</exception>
    public static (string Id, string SourceName, string DestinationName, IntentionSource Source) ReadIntention(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var o = StrictObject.Read(document.RootElement, "Intention", Fields);
        var source = new IntentionSource
        {
            Name = o.GetString("SourceName"),
            Action = o.GetString("Action"),
            Description = o.GetString("Description"),
            Permissions = o.Raw("Permissions") is { ValueKind: JsonValueKind.Array } p && p.GetArrayLength() > 0 ? JsonNode.Parse(p.GetRawText())!.AsArray() : null,
            LegacyMeta = o.Has("Meta") ? o.GetStringMap("Meta") : null,
        };
        return (o.GetString("ID"), source.Name, o.GetString("DestinationName"), source);
    }

    /// <summary>Consul's checks of one intention (source, destination, action); null when it is valid.</summary>
    public static string? Validate(string sourceName, string destinationName, IntentionSource source, bool legacy)
    {
        if (sourceName.Length == 0)
        {
            return "SourceName must be set";
        }

        if (destinationName.Length == 0)
        {
            return "DestinationName must be set";
        }

        if (IsPartialWildcard(sourceName) || IsPartialWildcard(destinationName))
        {
            return "wildcard character '*' cannot be used with partial values";
        }

        if (source.IsL7)
        {
            return legacy ? "Permissions must be empty on legacy intentions" : source.Action.Length > 0 ? "Action must be empty if Permissions are set" : null;
        }

        return source.Action is "allow" or "deny" ? null : "Action must be set to 'allow' or 'deny'";
    }

    /// <summary>Reads a <c>service-intentions</c> entry (Kind and Name already taken out) and validates it; the error is Consul's text.</summary>
    public static IntentionEntry? ReadEntry(string name, JsonObject entry, out string? error)
    {
        error = IsPartialWildcard(name) ? "wildcard character '*' cannot be used with partial values" : null;
        var result = new IntentionEntry { Name = name };
        foreach (var (key, value) in entry)
        {
            if (key.Equals("Sources", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var (node, index) in (value as JsonArray ?? []).Select((n, i) => (n, i)))
                {
                    var source = ReadSource(node as JsonObject ?? [], index, ref error);
                    if (error is null && result.Sources.Any(s => s.Name == source.Name))
                    {
                        error = $"Sources[{index}] defines \"{source.Name}\" more than once";
                    }

                    result.Sources.Add(source);
                }
            }
            else if (key.Equals("Meta", StringComparison.OrdinalIgnoreCase))
            {
                result.Meta = value is JsonObject meta ? meta.ToDictionary(p => p.Key, p => p.Value?.ToString() ?? string.Empty, StringComparer.Ordinal) : null;
            }
            else if (!key.Equals("CreateIndex", StringComparison.OrdinalIgnoreCase) && !key.Equals("ModifyIndex", StringComparison.OrdinalIgnoreCase))
            {
                result.Extra[key] = value?.DeepClone();
            }
        }

        return error is null ? result : null;
    }

    private static IntentionSource ReadSource(JsonObject json, int index, ref string? error)
    {
        var source = new IntentionSource { Name = string.Empty };
        foreach (var (key, value) in json)
        {
            switch (key.ToUpperInvariant())
            {
                case "NAME":
                    source.Name = value?.ToString() ?? string.Empty;
                    break;
                case "ACTION":
                    source.Action = value?.ToString() ?? string.Empty;
                    break;
                case "DESCRIPTION":
                    source.Description = value?.ToString() ?? string.Empty;
                    break;
                case "PERMISSIONS":
                    source.Permissions = value is JsonArray { Count: > 0 } permissions ? (JsonArray)permissions.DeepClone() : null;
                    break;
                case "PRECEDENCE":
                    break; // Computed by Consul; a value sent back from a read is ignored.
                case "TYPE":
                    error ??= value?.ToString() is null or "" or "consul" ? null : $"Sources[{index}].Type must be set to 'consul'";
                    break;
                case "LEGACYID" or "LEGACYMETA" or "LEGACYCREATETIME" or "LEGACYUPDATETIME":
                    error ??= $"Sources[{index}].{key} must be omitted";
                    break;
                default:
                    source.Extra[key] = value?.DeepClone();
                    break;
            }
        }

        error ??= source.Name.Length == 0 ? $"Sources[{index}].Name is required"
            : IsPartialWildcard(source.Name) ? "wildcard character '*' cannot be used with partial values"
            : source.IsL7 && source.Action.Length > 0 ? $"Sources[{index}].Action must be omitted if Permissions are specified"
            : !source.IsL7 && source.Action is not ("allow" or "deny") ? $"Sources[{index}].Action must be set to 'allow' or 'deny'"
            : null;
        return source;
    }

    private static bool IsPartialWildcard(string name) => name != Intention.Wildcard && name.Contains('*', StringComparison.Ordinal);
}
