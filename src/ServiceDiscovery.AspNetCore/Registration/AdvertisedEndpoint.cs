// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>Where Consul and other services reach this app: what goes into the registration's Address, Port and check URL.</summary>
/// <param name="Scheme"><c>http</c> or <c>https</c>.</param>
/// <param name="Host">An IP literal without brackets, or a host name: Consul's <c>Address</c> field.</param>
/// <param name="Port">The port.</param>
internal sealed record AdvertisedEndpoint(string Scheme, string Host, int Port)
{
    /// <summary>The host as it goes into a URL: IPv6 literals in brackets.</summary>
    public string UrlHost => IPAddress.TryParse(Host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + Host + "]" : Host;

    /// <summary>An absolute URL of <paramref name="path"/> on this endpoint.</summary>
    public string Url(string path) => string.Create(CultureInfo.InvariantCulture, $"{Scheme}://{UrlHost}:{Port}{path}");
}
