// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// What a Connect peer is checked against: the trust domain and every root of Consul's roots answer (active or
/// not, so a rotation's old root stays trusted until Consul prunes it), with each root's intermediates (the
/// cross-signed root of a rotation, a secondary datacenter's signing certificate). Immutable: a roots change
/// builds a new bundle, so a handshake sees one consistent set.
/// </summary>
internal sealed class ConnectTrustBundle
{
    /// <summary>Initializes a new instance of the <see cref="ConnectTrustBundle"/> class.</summary>
    /// <param name="trustDomain">The roots answer's <c>TrustDomain</c>, e.g. <c>&lt;cluster id&gt;.consul</c>.</param>
    /// <param name="roots">Each root's <c>RootCert</c>; the only trust anchors (never the machine's store).</param>
    /// <param name="intermediates">Each root's <c>IntermediateCerts</c>: chain links, never anchors.</param>
    /// <exception cref="ArgumentException">The trust domain is empty.</exception>
    public ConnectTrustBundle(string trustDomain, IEnumerable<X509Certificate2> roots, IEnumerable<X509Certificate2> intermediates)
    {
        ArgumentException.ThrowIfNullOrEmpty(trustDomain);
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(intermediates);
        TrustDomain = trustDomain;
        Roots = [.. roots];
        Intermediates = [.. intermediates];
    }

    /// <summary>Gets the trust domain every peer identity must belong to.</summary>
    public string TrustDomain { get; }

    /// <summary>Gets the trust anchors.</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary>Gets the intermediates offered to chain building.</summary>
    public X509Certificate2Collection Intermediates { get; }
}
