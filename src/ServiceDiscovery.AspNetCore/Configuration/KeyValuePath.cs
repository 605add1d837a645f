// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>How a KV key below a prefix maps to a configuration path.</summary>
internal static class KeyValuePath
{
    /// <summary>The configuration path of <paramref name="key"/> under <paramref name="prefix"/>: <c>a/b/c</c> → <c>a:b:c</c>; empty segments dropped.</summary>
    public static string ToConfigurationPath(string prefix, string key)
    {
        var relative = key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : key;
        return string.Join(ConfigurationPath.KeyDelimiter, relative.Split('/', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>Whether the key names a JSON document (<c>appsettings.json</c>), expanded in place of its folder.</summary>
    public static bool IsJsonDocument(string key) => key.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the key names a YAML document (<c>.yaml</c> or <c>.yml</c>), expanded in place like a JSON one.</summary>
    public static bool IsYamlDocument(string key)
        => key.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || key.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder path a document expands into: its own path without the file name.</summary>
    public static string DocumentBase(string path)
    {
        var last = path.LastIndexOf(ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
        return last < 0 ? string.Empty : path[..last];
    }

    /// <summary>Prefixes always end with one slash, so <c>config/orders</c> never matches <c>config/orders-v2/...</c>.</summary>
    public static string NormalizePrefix(string prefix) => prefix.Trim('/') + "/";
}
