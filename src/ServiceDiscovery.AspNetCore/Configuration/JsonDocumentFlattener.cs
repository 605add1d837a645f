// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// A JSON document as configuration entries, the way appsettings.json reads: objects nest with <c>:</c>, array items are
/// numbered, scalars become strings. No reflection (trimming/NativeAOT safe). Throws <see cref="JsonException"/>, with
/// the line and byte position, for malformed input.
/// </summary>
internal static class JsonDocumentFlattener
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static Dictionary<string, string?> Flatten(ReadOnlyMemory<byte> utf8, string basePath)
    {
        using var document = JsonDocument.Parse(utf8, Options);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"The document's root is a {document.RootElement.ValueKind}, not an object.", path: "$", lineNumber: 0, bytePositionInLine: 0);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Visit(document.RootElement, basePath, data);
        return data;
    }

    private static void Visit(JsonElement element, string path, Dictionary<string, string?> data)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var any = false;
                foreach (var property in element.EnumerateObject())
                {
                    any = true;
                    Visit(property.Value, Combine(path, property.Name), data);
                }

                AddEmpty(path, any, data);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Visit(item, Combine(path, index.ToString(CultureInfo.InvariantCulture)), data);
                    index++;
                }

                AddEmpty(path, index > 0, data);
                break;
            case JsonValueKind.Null:
                data[path] = null;
                break;
            case JsonValueKind.String:
                data[path] = element.GetString();
                break;
            default:
                // Numbers and booleans as written (true/false, 1.50 stays 1.50).
                data[path] = element.GetRawText();
                break;
        }
    }

    private static void AddEmpty(string path, bool any, Dictionary<string, string?> data)
    {
        if (!any && path.Length > 0)
        {
            data[path] = null;
        }
    }

    private static string Combine(string path, string name) => path.Length == 0 ? name : ConfigurationPath.Combine(path, name);
}
