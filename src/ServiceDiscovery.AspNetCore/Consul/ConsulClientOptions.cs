// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// How the client reaches Consul: the part of the <c>Consul</c> section the client reads, and nothing above it.
/// Users set these through <c>ConsulOptions</c> (the package's settings type), which holds one instance and forwards its connection
/// properties here, so one section and one configure delegate still describe the whole integration.
/// </summary>
internal sealed class ConsulClientOptions
{
    /// <summary>Used when neither configuration nor <c>CONSUL_HTTP_ADDR</c> names an agent.</summary>
    public const string DefaultAddress = "http://127.0.0.1:8500";

    /// <summary>Gets or sets the agent's HTTP address; empty until the environment defaults fill it.</summary>
    public string? Address { get; set; }

    /// <summary>Gets or sets the ACL token sent as <c>X-Consul-Token</c>. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Gets or sets a file holding the ACL token, re-read when it changes (at most once a second, on request). When set,
    /// it wins over <see cref="Token"/>.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>Gets or sets the datacenter for reads (<c>dc</c>); empty means the agent's own.</summary>
    public string? Datacenter { get; set; }

    /// <summary>Gets or sets how long one non-blocking request may take. Blocking queries add their <c>wait</c> to it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The configuration section these settings were bound from (<c>Consul</c> unless the app bound another), so the
    /// client's messages name the keys the user really has. Not bound itself: it is where binding happened.
    /// </summary>
    internal string SectionPath { get; set; } = "Consul";

    /// <summary>
    /// Gets or sets the most connections the client opens to the agent (<c>SocketsHttpHandler.MaxConnectionsPerServer</c>);
    /// further requests wait for a free one. Blocking queries hold a connection for their whole wait.
    /// </summary>
    public int MaxConnectionsPerServer { get; set; } = int.MaxValue;

    /// <summary>Gets the TLS settings for an <c>https://</c> agent address.</summary>
    public ConsulTlsOptions Tls { get; } = new();
}
