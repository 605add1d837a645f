// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Why a Connect peer's certificate was refused, on either side of a connection. The value is a log field and, as
/// <see cref="PeerVerificationFailureNames.ToTagValue"/>, the <c>consul.connect.failure</c> metric attribute.
/// </summary>
internal enum PeerVerificationFailure
{
    /// <summary>The peer presented no certificate.</summary>
    NoCertificate,

    /// <summary>This process has no Consul CA roots yet (or none are left), so nothing can be trusted: fail closed.</summary>
    NoRoots,

    /// <summary>The chain does not build to one of Consul's current roots (another CA, a broken signature, a wrong key usage).</summary>
    UntrustedChain,

    /// <summary>The certificate (or one in its chain) is not valid yet.</summary>
    NotYetValid,

    /// <summary>The certificate (or one in its chain) has expired.</summary>
    Expired,

    /// <summary>The certificate has no URI SAN, or more than one.</summary>
    UriSanCount,

    /// <summary>The URI SAN is not a Consul SPIFFE id.</summary>
    MalformedIdentity,

    /// <summary>The identity is an agent's, a server's, a gateway's or the CA's own, not a service's.</summary>
    NotAService,

    /// <summary>The identity belongs to another trust domain (another Consul cluster).</summary>
    WrongTrustDomain,

    /// <summary>The identity names a partition or namespace other than <c>default</c>.</summary>
    WrongNamespace,

    /// <summary>Client side: the identity names another service than the one called.</summary>
    WrongService,

    /// <summary>Client side: the identity names the expected service in another datacenter.</summary>
    WrongDatacenter,
}

/// <summary>Metric attribute values of <see cref="PeerVerificationFailure"/>.</summary>
internal static class PeerVerificationFailureNames
{
    /// <summary>The snake_case value used as the <c>consul.connect.failure</c> attribute.</summary>
    public static string ToTagValue(this PeerVerificationFailure failure) => failure switch
    {
        PeerVerificationFailure.NoCertificate => "no_certificate",
        PeerVerificationFailure.NoRoots => "no_roots",
        PeerVerificationFailure.UntrustedChain => "untrusted_chain",
        PeerVerificationFailure.NotYetValid => "not_yet_valid",
        PeerVerificationFailure.Expired => "expired",
        PeerVerificationFailure.UriSanCount => "uri_san_count",
        PeerVerificationFailure.MalformedIdentity => "malformed_identity",
        PeerVerificationFailure.NotAService => "not_a_service",
        PeerVerificationFailure.WrongTrustDomain => "wrong_trust_domain",
        PeerVerificationFailure.WrongNamespace => "wrong_namespace",
        PeerVerificationFailure.WrongService => "wrong_service",
        PeerVerificationFailure.WrongDatacenter => "wrong_datacenter",
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}
