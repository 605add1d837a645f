// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>TLS settings for talking to a Consul agent over https (<c>Consul:Tls</c>).</summary>
public sealed class ConsulTlsOptions
{
    /// <summary>Gets or sets a value indicating whether the agent's certificate is accepted without verification.</summary>
    /// <value>The default is <see langword="false"/>, or <see langword="true"/> when <c>CONSUL_HTTP_SSL_VERIFY=false</c>.</value>
    public bool InsecureSkipVerify { get; set; }

    /// <summary>Gets or sets a PEM file of the CA that signed the agent's certificate.</summary>
    /// <value>The default is none (the system trust store), or <c>CONSUL_CACERT</c>.</value>
    public string? CaFile { get; set; }

    /// <summary>Gets or sets a PEM client certificate for agents that verify incoming connections.</summary>
    /// <value>The default is none, or <c>CONSUL_CLIENT_CERT</c>.</value>
    public string? ClientCertificateFile { get; set; }

    /// <summary>Gets or sets the PEM private key of <see cref="ClientCertificateFile"/>.</summary>
    /// <value>The default is none, or <c>CONSUL_CLIENT_KEY</c>.</value>
    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// Gets or sets the name the agent's certificate must match instead of the address's host (e.g.
    /// <c>server.dc1.consul</c> when connecting by IP). The TLS handshake's SNI still carries the address's host.
    /// </summary>
    /// <value>The default is none, or <c>CONSUL_TLS_SERVER_NAME</c>.</value>
    public string? ServerName { get; set; }
}
