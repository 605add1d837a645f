// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Builds request paths and query strings the way Consul's router reads them back (docs/consul-http-api.md §0, §16).</summary>
internal static class ConsulPath
{
    /// <summary>
    /// One path parameter (service id, check id, service name): every reserved character percent-encoded, `/` included,
    /// so an id such as <c>demo/pg1</c> arrives intact (Go decodes the path before trimming the route prefix).
    /// </summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);

    /// <summary>
    /// A KV key: `/` stays the separator, every other reserved character is encoded. A leading `/` is dropped, as the
    /// Go client does, since `//` in a path would make Consul's router redirect.
    /// </summary>
    public static string Key(string key)
        => string.Join('/', key.TrimStart('/').Split('/').Select(Uri.EscapeDataString));
}

/// <summary>An ordered query string; flags without a value are written bare (<c>?recurse</c>), as Consul accepts.</summary>
internal sealed class ConsulQuery
{
    private readonly StringBuilder _builder = new();

    public ConsulQuery Add(string name, string? value)
    {
        if (value is not null)
        {
            Separator().Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return this;
    }

    public ConsulQuery Flag(string name, bool present = true)
    {
        if (present)
        {
            Separator().Append(name);
        }

        return this;
    }

    public string Apply(string path) => _builder.Length == 0 ? path : path + "?" + _builder;

    private StringBuilder Separator() => _builder.Append(_builder.Length == 0 ? string.Empty : "&");
}
