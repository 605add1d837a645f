// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>What this app registers as in Consul (<c>Consul:Service</c>).</summary>
public sealed class ConsulServiceOptions
{
    /// <summary>Gets or sets the service name other apps look this one up by.</summary>
    /// <value>
    /// The default is the application name (<c>IHostEnvironment.ApplicationName</c>) made DNS-friendly: lower case,
    /// runs of characters other than letters and digits replaced by <c>-</c> (<c>Catalog.Api</c> becomes <c>catalog-api</c>).
    /// </value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the instance id, unique on the agent.</summary>
    /// <value>
    /// The default is <c>{name}-{host}-{port}</c> in lower case with characters other than letters, digits, <c>-</c>,
    /// <c>_</c> and <c>.</c> replaced by <c>-</c>: stable across restarts of one instance, distinct for two instances
    /// on one machine.
    /// </value>
    public string? Id { get; set; }

    /// <summary>
    /// Gets or sets the address Consul and other services reach this app at (an IP address or a host name, no
    /// scheme or port). Set it when the app is behind NAT or in a container whose bound address others cannot reach.
    /// </summary>
    /// <value>The default is none: the address the server is bound to, wildcards resolved to this machine's address.</value>
    public string? Address { get; set; }

    /// <summary>Gets or sets the port Consul and other services reach this app at (NAT, published container ports).</summary>
    /// <value>The default is none: the port the server is bound to (the real one when bound to port 0).</value>
    public int? Port { get; set; }

    /// <summary>Gets the tags registered with the service.</summary>
    /// <value>The default is no tags.</value>
    public IList<string> Tags { get; } = [];

    /// <summary>
    /// Gets the metadata registered with the service. <c>version</c> (the entry assembly's informational version)
    /// and <c>scheme</c> (<c>http</c> or <c>https</c>) are added unless set here.
    /// </summary>
    /// <value>The default is no metadata beyond <c>version</c> and <c>scheme</c>.</value>
    public IDictionary<string, string> Meta { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets the DNS SRV weights of this instance (<c>Consul:Service:Weights</c>).</summary>
    public ConsulServiceWeights Weights { get; } = new();

    /// <summary>Gets or sets a value indicating whether Consul's anti-entropy may let others change this service's tags.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool EnableTagOverride { get; set; }

    /// <summary>Gets or sets a value indicating whether an https address is registered when the server listens on both http and https.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PreferHttps { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether a wildcard binding (<c>0.0.0.0</c>, <c>[::]</c>, <c>+</c>, <c>*</c>)
    /// registers this machine's IP address (<see langword="true"/>) or its host name (<see langword="false"/>).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PreferIpAddress { get; set; } = true;

    /// <summary>
    /// Gets the networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose addresses are preferred, in order, when a wildcard
    /// binding is resolved to one of this machine's addresses.
    /// </summary>
    /// <value>The default is none: the first non-loopback IPv4 address of an interface that is up, then IPv6.</value>
    public IList<string> PreferredNetworks { get; } = [];
}
