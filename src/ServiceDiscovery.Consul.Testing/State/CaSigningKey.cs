// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A CA private key of the kinds Consul's <c>consul</c> provider accepts (<c>PrivateKeyType</c> <c>ec</c> with 224, 256,
/// 384 or 521 bits, <c>rsa</c> with 2048 or 4096), and how it signs: ECDSA with SHA-256 or SHA256-RSA, whatever the size.
/// </summary>
internal sealed class CaSigningKey : IDisposable
{
    private CaSigningKey(AsymmetricAlgorithm key, string type, int bits)
    {
        Key = key;
        Type = type;
        Bits = bits;
    }

    public AsymmetricAlgorithm Key { get; }

    /// <summary>Gets Consul's <c>PrivateKeyType</c>: <c>ec</c> or <c>rsa</c>.</summary>
    public string Type { get; }

    public int Bits { get; }

    public PublicKey PublicKey => Key is ECDsa ec ? new PublicKey(ec) : new PublicKey((RSA)Key);

    /// <summary>Generates a new key; the caller has validated the type and size.</summary>
    public static CaSigningKey Generate(string type, int bits) => type == "rsa"
        ? new CaSigningKey(RSA.Create(bits), type, bits)
        : new CaSigningKey(ECDsa.Create(Curve(bits)), type, bits);

    /// <summary>Reads a PEM private key (EC or RSA, PKCS#1, SEC1 or PKCS#8) given in the CA configuration.</summary>
    /// <exception cref="CryptographicException">The PEM holds no key of a supported kind.</exception>
    public static CaSigningKey FromPem(string pem)
    {
        if (pem.Contains("RSA PRIVATE KEY", StringComparison.Ordinal))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new CaSigningKey(rsa, "rsa", rsa.KeySize);
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new CaSigningKey(ec, "ec", ec.KeySize);
        }
        catch (CryptographicException)
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new CaSigningKey(rsa, "rsa", rsa.KeySize);
        }
    }

    /// <summary>Whether <paramref name="type"/> and <paramref name="bits"/> form a key Consul accepts.</summary>
    public static bool IsSupported(string type, int bits) =>
        (type == "ec" && bits is 224 or 256 or 384 or 521) || (type == "rsa" && bits is 2048 or 4096);

    public X509SignatureGenerator Generator() => Key is ECDsa ec
        ? X509SignatureGenerator.CreateForECDsa(ec)
        : X509SignatureGenerator.CreateForRSA((RSA)Key, RSASignaturePadding.Pkcs1);

    /// <summary>A certificate request for <paramref name="subject"/> carrying this key's public key.</summary>
    public CertificateRequest Request(X500DistinguishedName subject) => Key is ECDsa ec
        ? new CertificateRequest(subject, ec, HashAlgorithmName.SHA256)
        : new CertificateRequest(subject, (RSA)Key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose() => Key.Dispose();

    private static ECCurve Curve(int bits) => bits switch
    {
        224 => ECCurve.CreateFromFriendlyName("secp224r1"),
        384 => ECCurve.NamedCurves.nistP384,
        521 => ECCurve.NamedCurves.nistP521,
        _ => ECCurve.NamedCurves.nistP256,
    };
}
