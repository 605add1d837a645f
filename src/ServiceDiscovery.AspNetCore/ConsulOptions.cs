// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Settings bound from the <c>Consul</c> configuration section. This part holds how to reach Consul; the
/// registration and discovery parts live beside it. Empty values fall back to Consul's own environment variables
/// (<c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c>, <c>CONSUL_HTTP_SSL</c>, <c>CONSUL_HTTP_SSL_VERIFY</c>) as Consul's CLI reads them.
/// </summary>
public sealed partial class ConsulOptions
{
    /// <summary>The configuration section <c>AddConsulDiscovery()</c> binds by default.</summary>
    public const string DefaultConfigSectionName = "Consul";

    /// <summary>
    /// Gets or sets the agent's HTTP address: an <c>http://</c> or <c>https://</c> URL (IPv6 literals in brackets).
    /// </summary>
    /// <value>The default is <c>CONSUL_HTTP_ADDR</c> when set, else <c>http://127.0.0.1:8500</c>.</value>
    public string? Address { get; set; }

    /// <summary>Gets or sets the ACL token sent as <c>X-Consul-Token</c>. Never logged.</summary>
    /// <value>The default is <c>CONSUL_HTTP_TOKEN</c> when set, else none (the agent's default token).</value>
    public string? Token { get; set; }

    /// <summary>Gets or sets the datacenter for reads (<c>dc</c>).</summary>
    /// <value>The default is none: the agent's own datacenter.</value>
    public string? Datacenter { get; set; }

    /// <summary>Gets or sets how long one non-blocking request may take. Blocking queries add their <c>wait</c> to it.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the TLS settings for an <c>https://</c> agent address.</summary>
    public ConsulTlsOptions Tls { get; } = new();
}
