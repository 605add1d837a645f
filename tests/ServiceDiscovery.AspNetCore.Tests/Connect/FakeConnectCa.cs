// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A self-made Connect CA that answers as the agent does (roots and leaf bodies), for the server-side tests: an EC P-256 root for a trust domain, and leaves shaped as Consul's are (empty
/// subject, one SPIFFE URI SAN, client and server EKU), optionally cross-signed or expired, as the agent's answers.
/// </summary>
internal sealed class FakeConnectCa : IDisposable
{
    private readonly ECDsa _key;
    private long _serial = 1;

    public FakeConnectCa(string clusterId = "11111111-2222-3333-4444-555555555555", DateTimeOffset? notBefore = null)
    {
        ClusterId = clusterId;
        _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=pri-test.consul.ca.{clusterId[..8]}.consul", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(UriSan($"spiffe://{TrustDomain}"));
        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddDays(-1);
        Root = request.CreateSelfSigned(start, start.AddYears(10));
        Id = Convert.ToHexStringLower(SHA256.HashData(Root.RawData));
    }

    public string ClusterId { get; }

    public string TrustDomain => ClusterId + ".consul";

    public string Id { get; }

    public X509Certificate2 Root { get; }

    public string RootPem => Root.ExportCertificatePem() + "\n";

    public static string ServiceUri(string trustDomain, string service, string dc = "dc1") => $"spiffe://{trustDomain}/ns/default/dc/{dc}/svc/{service}";

    /// <summary>The roots answer listing this CA (and <paramref name="others"/>, not active).</summary>
    public ConnectRoots Roots(params FakeConnectCa[] others) => new()
    {
        ActiveRootID = Id,
        TrustDomain = TrustDomain,
        Roots = [Describe(active: true), .. others.Select(o => o.Describe(active: false))],
    };

    /// <summary>A leaf for <paramref name="service"/> as the agent's answer (PEMs, validity, serial).</summary>
    public ConnectLeafCertificate Leaf(string service, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null, string? uri = null, string? extraChainPem = null)
    {
        var (certificate, key) = Issue(uri ?? ServiceUri(TrustDomain, service), notBefore, lifetime);
        using (certificate)
        using (key)
        {
            return new ConnectLeafCertificate
            {
                SerialNumber = string.Join(':', Convert.ToHexStringLower(certificate.SerialNumberBytes.Span).Chunk(2).Select(c => new string(c))),
                CertPEM = certificate.ExportCertificatePem() + "\n" + (extraChainPem ?? string.Empty),
                PrivateKeyPEM = key.ExportECPrivateKeyPem() + "\n",
                Service = service,
                ServiceURI = uri ?? ServiceUri(TrustDomain, service),
                ValidAfter = certificate.NotBefore.ToUniversalTime(),
                ValidBefore = certificate.NotAfter.ToUniversalTime(),
            };
        }
    }

    /// <summary>A client certificate with its key for <paramref name="uri"/> (null: no URI SAN at all).</summary>
    public X509Certificate2 ClientCertificate(string? uri, DateTimeOffset? notBefore = null, TimeSpan? lifetime = null)
    {
        var (certificate, key) = Issue(uri, notBefore, lifetime);
        using (key)
        using (certificate)
        {
            using var withKey = certificate.CopyWithPrivateKey(key);
            return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    public void Dispose()
    {
        Root.Dispose();
        _key.Dispose();
    }

    private ConnectRoot Describe(bool active) => new() { ID = Id, Name = "Consul CA Primary Cert", RootCert = RootPem, Active = active, NotBefore = Root.NotBefore, NotAfter = Root.NotAfter };

    private (X509Certificate2 Certificate, ECDsa Key) Issue(string? uri, DateTimeOffset? notBefore, TimeSpan? lifetime)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        if (uri is not null)
        {
            request.CertificateExtensions.Add(UriSan(uri));
        }

        var start = notBefore ?? TimeProvider.System.GetUtcNow().AddMinutes(-1);
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial)).Reverse().SkipWhile(b => b == 0).ToArray();
        var certificate = request.Create(Root.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), start, start + (lifetime ?? TimeSpan.FromHours(72)), serial);
        return (certificate, key);
    }

    private static X509Extension UriSan(string uri)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, uri, new Asn1Tag(TagClass.ContextSpecific, 6));
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: false);
    }
}
