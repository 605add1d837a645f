// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Reads a Consul Connect identity from the text of a certificate's URI SAN (docs/consul-http-api.md, Connect
/// identities). Stricter than Consul's own parser, never looser: the SPIFFE rules apply (lower-case <c>spiffe</c>
/// scheme, a lower-case trust domain of letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, no port, user, query or
/// fragment, path segments of letters, digits, <c>.</c>, <c>-</c> and <c>_</c>, neither <c>.</c> nor <c>..</c>), and
/// percent-escapes are refused (Consul only writes them for names it cannot use in Connect anyway).
/// </summary>
internal static class SpiffeIdParser
{
    /// <summary>The SPIFFE specification's limit on an id's length.</summary>
    public const int MaxLength = 2048;

    private const string Prefix = "spiffe://";

    /// <summary>
    /// Parses <paramref name="text"/>. On failure <paramref name="problem"/> says what is wrong, quoting the text
    /// (an identity is not a secret).
    /// </summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out SpiffeId? id, [NotNullWhen(false)] out string? problem)
    {
        id = null;
        if (string.IsNullOrEmpty(text))
        {
            problem = "the URI is empty";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"the URI is {text.Length} characters long; a SPIFFE id has at most {MaxLength}";
            return false;
        }

        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            problem = $"'{text}' does not start with '{Prefix}'";
            return false;
        }

        var rest = text.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        var host = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? [] : rest[slash..];
        if (!IsTrustDomain(host))
        {
            problem = $"'{text}' has trust domain '{host}'; it must be non-empty lower-case letters, digits, '.', '-' and '_' (no port, user, query or fragment)";
            return false;
        }

        var trustDomain = host.ToString();
        if (path.IsEmpty)
        {
            var dot = trustDomain.IndexOf('.', StringComparison.Ordinal);
            if (dot <= 0 || dot == trustDomain.Length - 1)
            {
                problem = $"'{text}' has no path and its trust domain is not '<cluster id>.<domain>', so it is not a Consul identity";
                return false;
            }

            id = new SpiffeId(SpiffeIdKind.Signing, trustDomain, SpiffeId.DefaultTenancy, "", "", "");
            problem = null;
            return true;
        }

        Span<Range> ranges = stackalloc Range[10];
        var segmentsText = path[1..];
        var count = segmentsText.Split(ranges, '/');
        if (count == ranges.Length)
        {
            problem = $"'{text}' has more path segments than any Consul identity";
            return false;
        }

        var segments = new string[count];
        for (var i = 0; i < count; i++)
        {
            var segment = segmentsText[ranges[i]];
            if (!IsPathSegment(segment))
            {
                problem = $"'{text}' has path segment '{segment}'; segments must be non-empty letters, digits, '.', '-' and '_', and not '.' or '..'";
                return false;
            }

            segments[i] = segment.ToString();
        }

        id = Match(trustDomain, segments);
        problem = id is null ? $"'{text}' is not a Consul identity (service, agent, server, mesh gateway or signing)" : null;
        return id is not null;
    }

    private static SpiffeId? Match(string trustDomain, string[] segments)
    {
        // An optional "/ap/<partition>" comes first for every kind but the server's.
        var partition = SpiffeId.DefaultTenancy;
        var partitioned = false;
        ReadOnlySpan<string> s = segments;
        if (s.Length > 2 && s[0] == "ap")
        {
            partition = s[1];
            partitioned = true;
            s = s[2..];
        }

        return s switch
        {
            ["ns", var ns, "dc", var dc, "svc", var service] => new SpiffeId(SpiffeIdKind.Service, trustDomain, partition, ns, dc, service),
            ["agent", "client", "dc", var dc, "id", var node] => new SpiffeId(SpiffeIdKind.Agent, trustDomain, partition, "", dc, node),
            ["gateway", "mesh", "dc", var dc] => new SpiffeId(SpiffeIdKind.MeshGateway, trustDomain, partition, "", dc, ""),
            ["agent", "server", "dc", var dc] when !partitioned => new SpiffeId(SpiffeIdKind.Server, trustDomain, SpiffeId.DefaultTenancy, "", dc, ""),
            _ => null,
        };
    }

    private static bool IsTrustDomain(ReadOnlySpan<char> host)
    {
        if (host.IsEmpty || host.Length > 255)
        {
            return false;
        }

        foreach (var c in host)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPathSegment(ReadOnlySpan<char> segment)
    {
        if (segment.IsEmpty || segment is "." or "..")
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
