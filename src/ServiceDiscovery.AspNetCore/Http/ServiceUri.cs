// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>Reads a request URI as "a Consul service" or "a real host", and which schemes its caller accepts.</summary>
internal static class ServiceUri
{
    private static readonly string[] HttpsOnly = [Uri.UriSchemeHttps];
    private static readonly string[] HttpsThenHttp = [Uri.UriSchemeHttps, Uri.UriSchemeHttp];
    private static readonly string[] HttpThenHttps = [Uri.UriSchemeHttp, Uri.UriSchemeHttps];

    /// <summary>True when <paramref name="uri"/>'s host is a Consul service name (see <see cref="IsServiceName"/>).</summary>
    public static bool TryGetServiceName(Uri? uri, out string serviceName)
    {
        serviceName = string.Empty;
        if (uri is null || !uri.IsAbsoluteUri || uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.Basic))
        {
            return false;
        }

        var host = uri.IdnHost;
        if (!IsServiceName(host))
        {
            return false;
        }

        serviceName = host;
        return true;
    }

    /// <summary>
    /// A host is a service name when it is a single DNS label: no dot (so <c>example.com</c> and <c>catalog.internal</c>
    /// go to DNS), not <c>localhost</c>, not an IP literal. That is how services are named in Consul and how callers
    /// write <c>http://catalog/...</c>.
    /// </summary>
    public static bool IsServiceName(string host)
        => host.Length > 0
           && host.AsSpan().IndexOfAny('.', ':', '[') < 0
           && !string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
           && !IPAddress.TryParse(host, out _);

    /// <summary>
    /// The schemes an instance may be called with, most preferred first, for a URI of scheme <paramref name="scheme"/>;
    /// <see langword="null"/> means "each instance with the scheme it registered".
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>http</c>: <see langword="null"/>. An instance that registered <c>https</c> serves only that, and
    /// calling it so only adds protection.</item>
    /// <item><c>https</c>: https only. The caller asked for TLS; falling back to plain http would drop it silently.</item>
    /// <item><c>https+http</c> (Microsoft.Extensions.ServiceDiscovery's convention): https if any instance serves it,
    /// else http; any other <c>a+b</c> likewise.</item>
    /// </list>
    /// The usual forms are answered without allocating; other <c>a+b</c> schemes are split per call.
    /// </remarks>
    public static string[]? PreferredSchemes(string scheme) => scheme switch
    {
        "http" => null,
        "https" => HttpsOnly,
        "https+http" => HttpsThenHttp,
        "http+https" => HttpThenHttps,
        _ when scheme.Contains('+', StringComparison.Ordinal) => scheme.Split('+', StringSplitOptions.RemoveEmptyEntries),
        _ => [scheme],
    };
}
