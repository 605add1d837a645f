// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>Go's view of a request path: fully percent-decoded (ASP.NET Core keeps <c>%2F</c>), and ServeMux's <c>cleanPath</c>.</summary>
internal static class GoPath
{
    /// <summary>Splits a raw request target into the decoded path and the raw query.</summary>
    public static bool TrySplit(string rawTarget, out string path, out string rawQuery)
    {
        var q = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = q < 0 ? rawTarget : rawTarget[..q];
        rawQuery = q < 0 ? string.Empty : rawTarget[(q + 1)..];
        if (Uri.TryCreate(rawPath, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal))
        {
            rawPath = absolute.AbsolutePath;
        }

        return GoQuery.TryUnescape(rawPath, false, out path);
    }

    /// <summary>ServeMux's <c>cleanPath</c>: <c>path.Clean</c>, keeping a trailing slash.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        if (path[0] != '/')
        {
            path = "/" + path;
        }

        var parts = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(segment);
        }

        var sb = new StringBuilder("/").AppendJoin('/', parts);
        if (path.EndsWith('/') && sb.Length > 1)
        {
            sb.Append('/');
        }

        return sb.ToString();
    }
}
