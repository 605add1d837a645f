// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The certificates Consul's <c>consul</c> CA provider makes, with its contents: a self-signed root (CN
/// <c>pri-…consul.ca.&lt;cluster&gt;.consul</c>, URI SAN <c>spiffe://&lt;trust domain&gt;</c>, CA key usages), the
/// cross-signed copy of a new root an old key signs during rotation, and service leaves (empty subject, one critical
/// SPIFFE URI SAN, client and server EKU, the agent's P-256 key). Key identifiers are SHA-256 of the public key.
/// </summary>
internal static class ConnectCertificates
{
    /// <summary>How long a cross-signed root stays valid (Consul's provider: 7 days).</summary>
    public static readonly TimeSpan CrossSignedLifetime = TimeSpan.FromDays(7);

    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";

    /// <summary>Makes a self-signed root for <paramref name="clusterId"/>, valid from <paramref name="now"/> for <paramref name="lifetime"/>.</summary>
    public static X509Certificate2 CreateRoot(CaSigningKey key, string clusterId, ulong serial, DateTimeOffset now, TimeSpan lifetime)
    {
        var subject = new X500DistinguishedName($"CN=pri-{Base36(RandomNumberGenerator.GetBytes(6))[..8]}.consul.ca.{clusterId[..8]}.consul");
        var request = key.Request(subject);
        var ski = new X509SubjectKeyIdentifierExtension(KeyId(key.PublicKey), critical: false);
        AddCaExtensions(request, ski, ski);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri($"spiffe://{clusterId}.consul"));
        request.CertificateExtensions.Add(san.Build());
        var start = Truncate(now);
        return request.Create(subject, key.Generator(), start, start + lifetime, Serial(serial));
    }

    /// <summary>
    /// The cross-signed copy of <paramref name="newRoot"/>: same subject, key and key identifier, issued by
    /// <paramref name="oldRoot"/>'s subject and signed with its key, so holders of the old root trust the new one.
    /// </summary>
    public static X509Certificate2 CrossSign(X509Certificate2 newRoot, CaSigningKey newKey, CaRoot oldRoot, ulong serial, DateTimeOffset now)
    {
        var request = new CertificateRequest(newRoot.SubjectName, newKey.PublicKey, HashAlgorithmName.SHA256);
        var ski = new X509SubjectKeyIdentifierExtension(KeyId(newKey.PublicKey), critical: false);
        var oldSki = new X509SubjectKeyIdentifierExtension(oldRoot.SubjectKeyId, critical: false);
        AddCaExtensions(request, ski, oldSki);
        foreach (var extension in newRoot.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            request.CertificateExtensions.Add(extension);
        }

        var start = Truncate(now);
        return request.Create(oldRoot.Certificate.SubjectName, oldRoot.SigningKey.Generator(), start, start + CrossSignedLifetime, Serial(serial));
    }

    /// <summary>Issues a leaf for <paramref name="spiffeId"/> with a fresh P-256 key, signed by <paramref name="signer"/>.</summary>
    public static (X509Certificate2 Certificate, ECDsa Key) CreateLeaf(CaRoot signer, Uri spiffeId, ulong serial, DateTimeOffset now, TimeSpan lifetime)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName(string.Empty), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement,
            critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuth), new Oid(ServerAuth)], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(KeyId(new PublicKey(key)), critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(signer.SubjectKeyId));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(spiffeId);

        // An empty subject makes the SAN extension critical (RFC 5280 §4.2.1.6), as Go's x509 marks it.
        request.CertificateExtensions.Add(san.Build(critical: true));
        var start = Truncate(now) - TimeSpan.FromMinutes(1);
        var certificate = request.Create(signer.Certificate.SubjectName, signer.SigningKey.Generator(), start, start + lifetime, Serial(serial));
        return (certificate, key);
    }

    /// <summary>SHA-256 of the DER SubjectPublicKeyInfo: the key identifier Consul's provider uses.</summary>
    public static byte[] KeyId(PublicKey publicKey) => SHA256.HashData(publicKey.ExportSubjectPublicKeyInfo());

    /// <summary>Lower-case hex bytes joined by colons, as Consul prints IDs, key IDs and serials.</summary>
    public static string ColonHex(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The PEM of <paramref name="certificate"/>, ending with a newline as Go's encoder writes it.</summary>
    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    /// <summary>The minimal big-endian bytes of a positive serial number.</summary>
    public static byte[] Serial(ulong value)
    {
        var bytes = new BigInteger(value).ToByteArray(isUnsigned: true, isBigEndian: true);
        return bytes.Length == 0 ? [0] : bytes;
    }

    private static void AddCaExtensions(CertificateRequest request, X509SubjectKeyIdentifierExtension ski, X509SubjectKeyIdentifierExtension issuerSki)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(ski);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(issuerSki));
    }

    private static DateTimeOffset Truncate(DateTimeOffset now) => new(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static string Base36(byte[] bytes)
    {
        const string digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        var value = new BigInteger(bytes, isUnsigned: true);
        var text = new System.Text.StringBuilder();
        do
        {
            text.Insert(0, digits[(int)(value % 36)]);
            value /= 36;
        }
        while (value > 0);
        return text.ToString().PadLeft(8, '0');
    }
}
