// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A self-made CA shaped like Consul's built-in one (EC P-256, URI SAN <c>spiffe://&lt;td&gt;</c>, leaves with an empty
/// subject, one URI SAN, client and server authentication), for tests of peer verification and mTLS.
/// </summary>
internal sealed class SelfMadeConnectCa : IDisposable
{
    public const string DefaultTrustDomain = "11111111-2222-3333-4444-555555555555.consul";

    private long serial = 1;

    public SelfMadeConnectCa(DateTimeOffset notBefore, DateTimeOffset notAfter, string trustDomain = DefaultTrustDomain, string name = "Test Consul CA")
    {
        TrustDomain = trustDomain;
        Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(Sans($"spiffe://{trustDomain}"));
        Certificate = request.CreateSelfSigned(notBefore, notAfter);
    }

    public string TrustDomain { get; }

    public ECDsa Key { get; }

    public X509Certificate2 Certificate { get; }

    /// <summary>Consul's roots as the library holds them: this CA's root and <paramref name="others"/>' roots, in this trust domain.</summary>
    public ConnectTrust Trust(params SelfMadeConnectCa[] others) => Trust(TrustDomain, [this, .. others]);

    /// <summary>A roots answer listing <paramref name="roots"/>' certificates (none: an empty answer is refused by the parser, so use null instead).</summary>
    public static ConnectTrust Trust(string trustDomain, SelfMadeConnectCa[] roots) => ConnectTrust.Parse(
        new ConnectRoots
        {
            TrustDomain = trustDomain,
            ActiveRootID = "active",
            Roots = [.. roots.Select(static (r, i) => new ConnectRoot { ID = "root-" + i, RootCert = r.Certificate.ExportCertificatePem() + "\n", Active = i == 0 })],
        },
        index: 1);

    /// <summary>A service leaf as Consul issues it, with its private key.</summary>
    public X509Certificate2 Leaf(string service, string datacenter, DateTimeOffset notBefore, DateTimeOffset notAfter)
        => Issue([$"spiffe://{TrustDomain}/ns/default/dc/{datacenter}/svc/{service}"], notBefore, notAfter);

    /// <summary>A leaf with the given URI SANs (none, several, any text) and usages.</summary>
    public X509Certificate2 Issue(string[] uris, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth = true, bool clientAuth = true)
        => IssueWith(Certificate, Key, uris, notBefore, notAfter, serverAuth, clientAuth);

    /// <summary>This CA's certificate for <paramref name="other"/>'s key, signed by this CA: a rotation's cross-signed root or a secondary's intermediate.</summary>
    public X509Certificate2 CrossSign(SelfMadeConnectCa other, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(other.Certificate.SubjectName, other.Key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var generator = X509SignatureGenerator.CreateForECDsa(Key);
        return request.Create(Certificate.SubjectName, generator, notBefore, notAfter, NextSerial());
    }

    public void Dispose()
    {
        Certificate.Dispose();
        Key.Dispose();
    }

    private X509Certificate2 IssueWith(X509Certificate2 issuer, ECDsa issuerKey, string[] uris, DateTimeOffset notBefore, DateTimeOffset notAfter, bool serverAuth, bool clientAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(""), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection();
        if (clientAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        }

        if (serverAuth)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        }

        if (usages.Count > 0)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (uris.Length > 0)
        {
            request.CertificateExtensions.Add(Sans(uris));
        }

        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        using var certificate = request.Create(issuer.SubjectName, generator, notBefore, notAfter, NextSerial());
        return certificate.CopyWithPrivateKey(key);
    }

    private byte[] NextSerial() => BitConverter.GetBytes(Interlocked.Increment(ref serial)).Reverse().SkipWhile(static b => b == 0).ToArray();

    /// <summary>The SAN written by hand, so a test can put any text in a URI entry (SubjectAlternativeNameBuilder normalises).</summary>
    private static X509Extension Sans(params string[] uris)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var uri in uris)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
            }
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: true);
    }
}
