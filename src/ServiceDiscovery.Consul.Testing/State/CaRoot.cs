// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One CA root as <c>/v1/connect/ca/roots</c> lists it (structs.CARoot): the certificate, its signing key (kept only
/// while it may still sign), the intermediates that chain it to an older root, and the Raft indexes.
/// </summary>
internal sealed class CaRoot
{
    public required string Id { get; init; }

    public required X509Certificate2 Certificate { get; init; }

    public required CaSigningKey SigningKey { get; init; }

    /// <summary>Gets the root's serial number as a number (Consul's counter).</summary>
    public required ulong SerialNumber { get; init; }

    /// <summary>Gets the colon-hex of the certificate's subject key identifier.</summary>
    public required string SigningKeyId { get; init; }

    /// <summary>Gets the raw subject key identifier, which leaves' authority key identifiers name.</summary>
    public required byte[] SubjectKeyId { get; init; }

    public required string RootCertPem { get; init; }

    /// <summary>Gets the PEMs of the cross-signed certificates that chain this root to the previous one (none for the first).</summary>
    public required IReadOnlyList<string> IntermediateCertPems { get; init; }

    public required ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; set; }

    public bool Active { get; set; }

    /// <summary>Gets or sets when a rotation made this root inactive; it is pruned 2 × LeafCertTTL later.</summary>
    public DateTimeOffset? RotatedOutAt { get; set; }
}
