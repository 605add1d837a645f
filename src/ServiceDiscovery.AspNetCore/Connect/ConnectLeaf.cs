// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// The app's current Connect leaf certificate, parsed once when the agent hands out a new one: the certificate with its
/// private key, the intermediates that travel with it (a cross-signed root during a rotation), and the
/// <see cref="SslStreamCertificateContext"/> both TLS sides present. Immutable; a renewal makes a new instance.
/// </summary>
internal sealed class ConnectLeaf
{
    private ConnectLeaf(X509Certificate2 certificate, X509Certificate2Collection intermediates, ConnectLeafCertificate source, ulong index)
    {
        Certificate = certificate;
        Intermediates = intermediates;
        ServiceUri = source.ServiceURI ?? string.Empty;
        SerialNumber = source.SerialNumber ?? string.Empty;
        ValidAfter = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        ValidBefore = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        Index = index;
        Context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
    }

    /// <summary>The leaf, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates after the leaf in <c>CertPEM</c>; empty unless a rotation added a cross-signed root.</summary>
    public X509Certificate2Collection Intermediates { get; }

    /// <summary>The leaf and its intermediates, ready for <see cref="SslStream"/> on either side.</summary>
    public SslStreamCertificateContext Context { get; }

    /// <summary>The SPIFFE id Consul put in the leaf, as the agent reports it.</summary>
    public string ServiceUri { get; }

    /// <summary>Colon hex, as Consul writes it.</summary>
    public string SerialNumber { get; }

    /// <summary>The certificate's NotBefore.</summary>
    public DateTimeOffset ValidAfter { get; }

    /// <summary>The certificate's NotAfter: past it, no handshake presents this leaf.</summary>
    public DateTimeOffset ValidBefore { get; }

    /// <summary>The agent's <c>X-Consul-Index</c> for this leaf.</summary>
    public ulong Index { get; }

    /// <summary>Whether the leaf is within its validity period at <paramref name="now"/>.</summary>
    public bool IsValidAt(DateTimeOffset now) => now >= ValidAfter && now < ValidBefore;

    /// <summary>Parses the agent's answer. Throws <see cref="FormatException"/> naming what is wrong (never the key).</summary>
    public static ConnectLeaf Parse(ConnectLeafCertificate source, ulong index)
    {
        ArgumentNullException.ThrowIfNull(source);
        var all = new X509Certificate2Collection();
        X509Certificate2 certificate;
        try
        {
            all.ImportFromPem(source.CertPEM);
            if (all.Count == 0)
            {
                throw new FormatException($"The agent's leaf certificate for '{source.Service}' holds no PEM CERTIFICATE block.");
            }

            certificate = X509Certificate2.CreateFromPem(source.CertPEM, source.PrivateKeyPEM);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            // The key's text is never part of the message; only what failed.
            throw new FormatException($"The agent's leaf certificate for '{source.Service}' (serial {source.SerialNumber}) cannot be loaded with its private key: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"The agent's leaf certificate for '{source.Service}' (serial {source.SerialNumber}) is not valid PEM: {ex.Message}", ex);
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use a key that only lives in memory (an ephemeral key): round-trip through PKCS#12.
            using var ephemeral = certificate;
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        }

        var intermediates = new X509Certificate2Collection();
        for (var i = 1; i < all.Count; i++)
        {
            intermediates.Add(all[i]);
        }

        all[0].Dispose();
        return new ConnectLeaf(certificate, intermediates, source, index);
    }
}
