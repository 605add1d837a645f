// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Settings bound from the <c>Consul</c> configuration section: how to reach Consul (the section's own keys), what
/// this app registers as and how (<c>Service</c>, <c>Check</c>, <c>Registration</c>), how it discovers others
/// (<c>Discovery</c>) and how HttpClients balance over them (<c>LoadBalancing</c>). Empty connection values fall back
/// to Consul's own environment variables (<c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c>, <c>CONSUL_HTTP_SSL</c>,
/// <c>CONSUL_HTTP_SSL_VERIFY</c>) as Consul's CLI reads them.
/// </summary>
public sealed class ConsulOptions
{
    /// <summary>The configuration section <c>AddConsulDiscovery()</c> binds by default.</summary>
    public const string DefaultConfigSectionName = "Consul";

    /// <summary>
    /// Gets or sets the agent's HTTP address: an <c>http://</c> or <c>https://</c> URL (IPv6 literals in brackets).
    /// </summary>
    /// <value>The default is <c>CONSUL_HTTP_ADDR</c> when set, else <c>http://127.0.0.1:8500</c>.</value>
    public string? Address { get => Client.Address; set => Client.Address = value; }

    /// <summary>Gets or sets the ACL token sent as <c>X-Consul-Token</c>. Never logged.</summary>
    /// <value>The default is <c>CONSUL_HTTP_TOKEN</c> when set, else none (the agent's default token).</value>
    public string? Token { get => Client.Token; set => Client.Token = value; }

    /// <summary>
    /// Gets or sets a file holding the ACL token, re-read when it changes so a rotated token applies to the next
    /// request without a restart. When set, it wins over <see cref="Token"/>. Never logged.
    /// </summary>
    /// <value>The default is <c>CONSUL_HTTP_TOKEN_FILE</c> when set and <see cref="Token"/> is not, else none.</value>
    public string? TokenFile { get => Client.TokenFile; set => Client.TokenFile = value; }

    /// <summary>Gets or sets the datacenter for reads (<c>dc</c>).</summary>
    /// <value>The default is none: the agent's own datacenter.</value>
    public string? Datacenter { get => Client.Datacenter; set => Client.Datacenter = value; }

    /// <summary>Gets or sets how long one non-blocking request may take. Blocking queries add their <c>wait</c> to it.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan Timeout { get => Client.Timeout; set => Client.Timeout = value; }

    /// <summary>Gets the TLS settings for an <c>https://</c> agent address.</summary>
    public ConsulTlsOptions Tls => Client.Tls;

    /// <summary>Gets what this app registers as in Consul (<c>Consul:Service</c>).</summary>
    public ConsulServiceOptions Service { get; } = new();

    /// <summary>Gets how Consul checks this app's health (<c>Consul:Check</c>).</summary>
    public ConsulCheckOptions Check { get; } = new();

    /// <summary>Gets how registration behaves while the app starts, runs and stops (<c>Consul:Registration</c>).</summary>
    public ConsulRegistrationOptions Registration { get; } = new();

    /// <summary>Gets the discovery cache settings, bound from <c>Consul:Discovery</c>.</summary>
    public ConsulDiscoveryCacheOptions Discovery { get; } = new();

    /// <summary>Gets the HttpClient integration settings, bound from <c>Consul:LoadBalancing</c>.</summary>
    public ConsulLoadBalancingOptions LoadBalancing { get; } = new();

    /// <summary>Gets the Connect-native mTLS settings, bound from <c>Consul:Connect</c> (docs/connect.md).</summary>
    public ConsulConnectOptions Connect { get; } = new();

    /// <summary>Gets the connection settings the Consul client reads; the properties above forward to it.</summary>
    internal ConsulClientOptions Client { get; } = new();
}
