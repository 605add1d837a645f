// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>Reads a request URI as "a Consul service" or "a real host".</summary>
internal static class ServiceUri
{
    /// <summary>
    /// A host is a service name when it is a single DNS label: no dot (so <c>example.com</c> and <c>catalog.internal</c>
    /// go to DNS), not <c>localhost</c>, not an IP literal. That is how services are named in Consul and how callers
    /// write <c>http://catalog/...</c>.
    /// </summary>
    public static bool TryGetServiceName(Uri? uri, out string serviceName)
    {
        serviceName = string.Empty;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            return false;
        }

        var host = uri.IdnHost;
        if (host.Length == 0
            || host.Contains('.', StringComparison.Ordinal)
            || uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || IPAddress.TryParse(host, out _))
        {
            return false;
        }

        serviceName = host;
        return true;
    }

    /// <summary>
    /// The schemes the caller accepts, most preferred first: <c>https+http</c> means "https if any instance serves it,
    /// else http" (Microsoft.Extensions.ServiceDiscovery's convention). A plain <c>http</c>/<c>https</c> returns
    /// <see langword="null"/>: each instance is called with the scheme it registered (its <c>scheme</c> meta), which
    /// is what it serves.
    /// </summary>
    public static string[]? PreferredSchemes(Uri uri)
    {
        var scheme = uri.Scheme;
        if (!scheme.Contains('+', StringComparison.Ordinal))
        {
            return null;
        }

        // The two usual forms are answered without allocating; anything else is split per request.
        return scheme switch
        {
            "https+http" => HttpsThenHttp,
            "http+https" => HttpThenHttps,
            _ => scheme.Split('+'),
        };
    }

    private static readonly string[] HttpsThenHttp = ["https", "http"];
    private static readonly string[] HttpThenHttps = ["http", "https"];
}
