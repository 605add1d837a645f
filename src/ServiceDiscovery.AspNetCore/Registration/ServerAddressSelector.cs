// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Picks the endpoint to register from the server's bound addresses (<c>IServerAddressesFeature</c>, read once the
/// server listens, so port 0 is already the real port): the preferred scheme, then a specific non-loopback address
/// over a wildcard over loopback; a wildcard resolved to one of this machine's addresses; an explicit
/// <c>Consul:Service:Address</c> / <c>Port</c> over whatever was bound.
/// </summary>
internal static class ServerAddressSelector
{
    /// <param name="boundAddresses">The server's addresses.</param>
    /// <param name="options">The service settings (explicit address and port, scheme preference, networks).</param>
    /// <param name="network">This machine's addresses, for a wildcard binding.</param>
    /// <param name="section">The bound section, for messages.</param>
    /// <param name="requiredScheme">A scheme that must be bound (Connect needs <c>https</c> for the service and <c>http</c> for its check), else the preference decides.</param>
    /// <param name="requiredBecause">Why <paramref name="requiredScheme"/> is needed and what to do, for the error when it is not bound.</param>
    public static AdvertisedEndpoint Select(
        IReadOnlyCollection<string> boundAddresses,
        ConsulServiceOptions options,
        INetworkAddressSource network,
        string section = ConsulOptions.DefaultConfigSectionName,
        string? requiredScheme = null,
        string? requiredBecause = null)
    {
        ArgumentNullException.ThrowIfNull(boundAddresses);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(network);

        var explicitHost = string.IsNullOrWhiteSpace(options.Address) ? null : Unbracket(options.Address.Trim());
        var bound = Parse(boundAddresses);
        if (bound.Count == 0)
        {
            if (explicitHost is not null && options.Port is { } explicitPort)
            {
                return new AdvertisedEndpoint(Uri.UriSchemeHttp, explicitHost, explicitPort);
            }

            throw new InvalidOperationException(
                "The server reports no TCP address it listens on (IServerAddressesFeature is missing or empty, as with TestServer, "
                + "or only unix sockets or named pipes are bound), so there is nothing to register. "
                + $"Set {section}:Service:Address and {section}:Service:Port to the address others reach this app at.");
        }

        if (requiredScheme is not null && !bound.Any(b => b.Scheme == requiredScheme))
        {
            throw new InvalidOperationException(
                $"The server listens on no {requiredScheme}:// address (it listens on {string.Join(", ", boundAddresses)}). {requiredBecause}");
        }

        var scheme = requiredScheme ?? ChooseScheme(bound, options.PreferHttps);
        var chosen = bound.Where(b => b.Scheme == scheme).OrderBy(b => (int)b.Kind).First();
        var host = explicitHost ?? (chosen.Kind == HostKind.Wildcard ? ResolveWildcard(chosen.Host, options, network) : chosen.Host);
        return new AdvertisedEndpoint(scheme, host, options.Port ?? chosen.Port);
    }

    /// <summary>
    /// One of this machine's addresses for a wildcard binding: in the first preferred network that has one, else the
    /// first IPv4, else the first global IPv6 (only IPv4 when bound to <c>0.0.0.0</c>), else loopback; the host name
    /// when <see cref="ConsulServiceOptions.PreferIpAddress"/> is off.
    /// </summary>
    public static string ResolveWildcard(string wildcardHost, ConsulServiceOptions options, INetworkAddressSource network)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(network);
        if (!options.PreferIpAddress)
        {
            return network.GetHostName();
        }

        var ipv4Only = wildcardHost == "0.0.0.0";
        var candidates = network.GetAddresses()
            .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal && !a.IsIPv6Multicast && !a.IsIPv4MappedToIPv6 && !a.Equals(IPAddress.Any) && !a.Equals(IPAddress.IPv6Any))
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || (!ipv4Only && a.AddressFamily == AddressFamily.InterNetworkV6))
            .ToList();

        foreach (var preferredNetwork in options.PreferredNetworks)
        {
            if (IPNetwork.TryParse(preferredNetwork, out var cidr) && candidates.FirstOrDefault(cidr.Contains) is { } preferred)
            {
                return preferred.ToString();
            }
        }

        var chosen = candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? candidates.FirstOrDefault(a => !a.IsIPv6SiteLocal)
            ?? candidates.FirstOrDefault();
        return chosen?.ToString() ?? IPAddress.Loopback.ToString();
    }

    private static string ChooseScheme(List<Bound> bound, bool preferHttps)
    {
        var preferred = preferHttps ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        return bound.Any(b => b.Scheme == preferred) ? preferred : bound[0].Scheme;
    }

    private static List<Bound> Parse(IReadOnlyCollection<string> addresses)
    {
        var result = new List<Bound>();
        foreach (var address in addresses)
        {
            BindingAddress parsed;
            try
            {
                parsed = BindingAddress.Parse(address);
            }
            catch (FormatException)
            {
                continue;
            }

            if (parsed.IsUnixPipe || parsed.IsNamedPipe || parsed.Port <= 0)
            {
                continue;
            }

            var scheme = parsed.Scheme.ToLowerInvariant();
            if (scheme is not ("http" or "https"))
            {
                continue;
            }

            var host = Unbracket(parsed.Host);
            result.Add(new Bound(scheme, host, parsed.Port, Classify(host)));
        }

        return result;
    }

    private static HostKind Classify(string host)
    {
        if (host is "+" or "*" or "0.0.0.0" or "::")
        {
            return HostKind.Wildcard;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            return HostKind.Loopback;
        }

        return HostKind.Specific;
    }

    private static string Unbracket(string host) => host.Length > 1 && host[0] == '[' && host[^1] == ']' ? host[1..^1] : host;

    /// <summary>Preference order among addresses of the chosen scheme.</summary>
    private enum HostKind
    {
        Specific = 0,
        Wildcard = 1,
        Loopback = 2,
    }

    private sealed record Bound(string Scheme, string Host, int Port, HostKind Kind);
}
