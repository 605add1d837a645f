// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>The answer of <c>GET /v1/agent/connect/ca/roots</c> (docs/consul-http-api.md, Connect).</summary>
internal sealed record ConnectRoots
{
    /// <summary>The <see cref="ConnectRoot.ID"/> of the root that signs new leaf certificates.</summary>
    public string? ActiveRootID { get; init; }

    /// <summary><c>&lt;cluster id&gt;.consul</c>: the host of every SPIFFE id the CA issues.</summary>
    public string? TrustDomain { get; init; }

    /// <summary>Every root still trusted: during a rotation the old one (not active) and the new one.</summary>
    public IReadOnlyList<ConnectRoot> Roots { get; init; } = [];
}

/// <summary>One CA root as the roots endpoint lists it; only the fields the library uses.</summary>
internal sealed record ConnectRoot
{
    public required string ID { get; init; }
    public string? Name { get; init; }

    /// <summary>The root certificate, PEM.</summary>
    public required string RootCert { get; init; }

    /// <summary>Certificates that chain to this root (a cross-signed root during a rotation), PEM; may be null.</summary>
    public IReadOnlyList<string>? IntermediateCerts { get; init; }

    public bool Active { get; init; }
    public DateTimeOffset NotBefore { get; init; }
    public DateTimeOffset NotAfter { get; init; }
}

/// <summary>The answer of <c>GET /v1/agent/connect/ca/leaf/{service}</c>: the service's certificate and its private key.</summary>
internal sealed record ConnectLeafCertificate
{
    /// <summary>Colon hex (<c>0b</c>, <c>1a:2b</c>).</summary>
    public string? SerialNumber { get; init; }

    /// <summary>The leaf, followed by the active root's intermediates.</summary>
    public required string CertPEM { get; init; }

    /// <summary>The agent-generated key (EC P-256). Never logged.</summary>
    public required string PrivateKeyPEM { get; init; }

    public string? Service { get; init; }

    /// <summary><c>spiffe://&lt;trust domain&gt;/ns/default/dc/&lt;dc&gt;/svc/&lt;service&gt;</c>.</summary>
    public string? ServiceURI { get; init; }

    public DateTimeOffset ValidAfter { get; init; }
    public DateTimeOffset ValidBefore { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}

/// <summary>The body of <c>POST /v1/agent/connect/authorize</c>.</summary>
internal sealed record ConnectAuthorizeRequest(string Target, string ClientCertURI, string? ClientCertSerial);

/// <summary>The answer of <c>POST /v1/agent/connect/authorize</c>: the decision and Consul's reason (which intention, or the default).</summary>
internal sealed record ConnectAuthorizeResult(bool Authorized, string? Reason);

/// <summary>The <c>Connect</c> block of a service registration.</summary>
internal sealed record AgentServiceConnect(bool Native);
