// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A self-made CA shaped like Consul's built-in one, for every Connect test that does not need an agent: an EC P-256
/// root with the URI SAN <c>spiffe://&lt;trust domain&gt;</c>, leaves as Consul issues them (empty subject, one
/// critical SPIFFE URI SAN, client and server authentication), cross-signed roots as a rotation makes them, and the
/// agent's answers built from them (<see cref="Roots"/>, <see cref="AgentLeaf"/>) or the library's parsed view
/// (<see cref="Trust(TestConnectCa[])"/>).
/// </summary>
internal sealed class TestConnectCa : IDisposable
{
    public const string DefaultClusterId = "11111111-2222-3333-4444-555555555555";

    public const string DefaultTrustDomain = DefaultClusterId + ".consul";

    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private long _serial = 1;

    /// <param name="clusterId">The cluster id; the trust domain is <c>&lt;cluster id&gt;.consul</c>.</param>
    /// <param name="notBefore">The root's NotBefore; a day ago by default.</param>
    /// <param name="notAfter">The root's NotAfter; ten years after <paramref name="notBefore"/> by default.</param>
    /// <param name="name">The root's common name; by default Consul's shape, with a random part as each of Consul's roots has.</param>
    public TestConnectCa(string clusterId = DefaultClusterId, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string? name = null)
    {
        ClusterId = clusterId;
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name ?? $"pri-{Guid.NewGuid().ToString("N")[..8]}.consul.ca.{clusterId[..8]}.consul"}", Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(Sans(critical: false, $"spiffe://{TrustDomain}"));
        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddDays(-1);
        Root = request.CreateSelfSigned(start, notAfter ?? start.AddYears(10));
        Id = Convert.ToHexStringLower(SHA256.HashData(Root.RawData));
    }

    public string ClusterId { get; }

    /// <summary><c>&lt;cluster id&gt;.consul</c>.</summary>
    public string TrustDomain => ClusterId + ".consul";

    /// <summary>The root's id in the roots answer.</summary>
    public string Id { get; }

    public ECDsa Key { get; }

    /// <summary>The self-signed root certificate.</summary>
    public X509Certificate2 Root { get; }

    public string RootPem => Root.ExportCertificatePem() + "\n";

    public static string ServiceUri(string trustDomain, string service, string dc = "dc1") => $"spiffe://{trustDomain}/ns/default/dc/{dc}/svc/{service}";

    /// <summary>A roots answer listing <paramref name="roots"/> in <paramref name="trustDomain"/>, the first one active.</summary>
    public static ConnectTrust Trust(string trustDomain, TestConnectCa[] roots) => ConnectTrust.Parse(
        new ConnectRoots
        {
            TrustDomain = trustDomain,
            ActiveRootID = roots.Length > 0 ? roots[0].Id : string.Empty,
            Roots = [.. roots.Select(static (r, i) => r.Describe(active: i == 0))],
        },
        index: 1);

    /// <summary>Consul's roots as the library holds them: this CA's root (active) and <paramref name="others"/>' roots, in this trust domain.</summary>
    public ConnectTrust Trust(params TestConnectCa[] others) => Trust(TrustDomain, [this, .. others]);

    /// <summary>The agent's roots answer listing this CA (active) and <paramref name="others"/> (not active).</summary>
    public ConnectRoots Roots(params TestConnectCa[] others) => new()
    {
        ActiveRootID = Id,
        TrustDomain = TrustDomain,
        Roots = [Describe(active: true), .. others.Select(o => o.Describe(active: false))],
    };

    /// <summary>
    /// The agent's leaf answer for <paramref name="service"/> (PEMs, validity, serial); <paramref name="intermediates"/>
    /// follow the leaf in <c>CertPEM</c>, as a cross-signed root does after a rotation.
    /// </summary>
    public ConnectLeafCertificate AgentLeaf(string service, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null, string? uri = null, params X509Certificate2[] intermediates)
    {
        uri ??= ServiceUri(TrustDomain, service);
        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddMinutes(-1);
        var (certificate, key) = IssueWithKey(Root, Key, [uri], start, start + (lifetime ?? TimeSpan.FromHours(72)), serverAuth: true, clientAuth: true);
        using (certificate)
        using (key)
        {
            return new ConnectLeafCertificate
            {
                SerialNumber = string.Join(':', Convert.ToHexStringLower(certificate.SerialNumberBytes.Span).Chunk(2).Select(c => new string(c))),
                CertPEM = certificate.ExportCertificatePem() + "\n" + string.Concat(intermediates.Select(i => i.ExportCertificatePem() + "\n")),
                PrivateKeyPEM = key.ExportECPrivateKeyPem() + "\n",
                Service = service,
                ServiceURI = uri,
                ValidAfter = certificate.NotBefore.ToUniversalTime(),
                ValidBefore = certificate.NotAfter.ToUniversalTime(),
            };
        }
    }

    /// <summary>A client certificate with its key, loadable by SslStream on every platform, for <paramref name="uri"/> (null: no URI SAN at all).</summary>
    public X509Certificate2 ClientCertificate(string? uri, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null)
    {
        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddMinutes(-1);
        using var withKey = Issue(uri is null ? [] : [uri], start, start + (lifetime ?? TimeSpan.FromHours(72)));
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>A service leaf as Consul issues it, with its private key.</summary>
    public X509Certificate2 Leaf(string service, string datacenter, DateTimeOffset notBefore, DateTimeOffset notAfter)
        => Issue([ServiceUri(TrustDomain, service, datacenter)], notBefore, notAfter);

    /// <summary>A leaf with the given URI SANs (none, several, any text) and usages, with its private key.</summary>
    public X509Certificate2 Issue(string[] uris, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth = true, bool clientAuth = true)
    {
        var (certificate, key) = IssueWithKey(Root, Key, uris, notBefore, notAfter, serverAuth, clientAuth);
        using (certificate)
        using (key)
        {
            return certificate.CopyWithPrivateKey(key);
        }
    }

    /// <summary>
    /// A certificate for <paramref name="other"/>'s subject and key, signed by this CA: what a rotation from this root
    /// to <paramref name="other"/> publishes as the new root's intermediate (or a secondary datacenter's intermediate).
    /// </summary>
    public X509Certificate2 CrossSign(TestConnectCa other, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddDays(-1);
        var request = new CertificateRequest(other.Root.SubjectName, other.Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        return request.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(Key), start, notAfter ?? start.AddDays(7), NextSerial());
    }

    public void Dispose()
    {
        Root.Dispose();
        Key.Dispose();
    }

    private ConnectRoot Describe(bool active) => new() { ID = Id, Name = "Consul CA Primary Cert", RootCert = RootPem, Active = active, NotBefore = Root.NotBefore, NotAfter = Root.NotAfter };

    private (X509Certificate2 Certificate, ECDsa Key) IssueWithKey(X509Certificate2 issuer, ECDsa issuerKey, string[] uris, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth, bool clientAuth)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection();
        if (clientAuth)
        {
            usages.Add(ClientAuthentication);
        }

        if (serverAuth)
        {
            usages.Add(ServerAuthentication);
        }

        if (usages.Count > 0)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (uris.Length > 0)
        {
            request.CertificateExtensions.Add(Sans(critical: true, uris));
        }

        return (request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, NextSerial()), key);
    }

    private byte[] NextSerial() => BitConverter.GetBytes(Interlocked.Increment(ref _serial)).Reverse().SkipWhile(static b => b == 0).ToArray();

    /// <summary>
    /// The SAN written by hand, so a test can put any text in a URI entry (SubjectAlternativeNameBuilder normalises);
    /// critical when the subject is empty (a leaf), as RFC 5280 asks and Consul's leaves have it.
    /// </summary>
    private static X509Extension Sans(bool critical, params string[] uris)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical);
    }
}
