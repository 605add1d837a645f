// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Verifies a Connect peer's certificate as Consul's Go SDK does: the chain (with the intermediates the peer sent)
/// must end in one of Consul's roots, with a custom trust store so the machine's store never counts, the required
/// extended key usage, and the first URI SAN must parse as a Consul SPIFFE id. No host name is checked.
/// </summary>
internal static class ConnectPeerCheck
{
    /// <summary>The TLS client authentication EKU, required of a caller's certificate.</summary>
    public static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>The TLS server authentication EKU, required of a server's certificate.</summary>
    public static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private const string SubjectAltNameOid = "2.5.29.17";

    /// <summary>
    /// Checks <paramref name="certificate"/> against <paramref name="roots"/> at <paramref name="now"/>. On failure
    /// <paramref name="reason"/> is a bounded metric value (<c>untrusted</c>, <c>invalid_identity</c>) and
    /// <paramref name="problem"/> says what is wrong.
    /// </summary>
    public static bool Verify(
        X509Certificate2 certificate,
        X509Chain? presented,
        X509Certificate2Collection roots,
        Oid usage,
        DateTimeOffset now,
        [NotNullWhen(true)] out SpiffeId? id,
        [NotNullWhen(false)] out string? reason,
        [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(roots);
        id = null;
        using (var chain = new X509Chain())
        {
            var policy = chain.ChainPolicy;
            policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            policy.CustomTrustStore.AddRange(roots);
            policy.RevocationMode = X509RevocationMode.NoCheck;
            policy.VerificationTime = now.UtcDateTime;
            policy.VerificationTimeIgnored = false;
            policy.ApplicationPolicy.Add(usage);
            policy.DisableCertificateDownloads = true;
            if (presented is not null)
            {
                // The peer's own chain elements are candidate intermediates only; trust comes from the roots alone.
                foreach (var element in presented.ChainElements)
                {
                    if (!element.Certificate.RawDataMemory.Span.SequenceEqual(certificate.RawDataMemory.Span))
                    {
                        policy.ExtraStore.Add(element.Certificate);
                    }
                }

                policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            }

            if (!chain.Build(certificate))
            {
                var status = string.Join("; ", chain.ChainStatus.Select(static s => s.StatusInformation.Trim()).Where(static s => s.Length > 0).Distinct());
                reason = "untrusted";
                problem = $"its certificate does not chain to Consul's CA roots as a {usage.FriendlyName} certificate valid at {now:o}: {status}";
                return false;
            }
        }

        var uri = FirstUri(certificate);
        if (uri is null)
        {
            reason = "invalid_identity";
            problem = "its certificate has no URI subject alternative name, so it names no Connect identity";
            return false;
        }

        if (!SpiffeIdParser.TryParse(uri, out id, out var parseProblem))
        {
            reason = "invalid_identity";
            problem = "its certificate's URI is not a Consul identity: " + parseProblem;
            return false;
        }

        reason = null;
        problem = null;
        return true;
    }

    /// <summary>The first uniformResourceIdentifier in the subject alternative names, or null.</summary>
    public static string? FirstUri(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (certificate.Extensions[SubjectAltNameOid] is not { } extension)
        {
            return null;
        }

        try
        {
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var names = reader.ReadSequence();
            var uriTag = new Asn1Tag(TagClass.ContextSpecific, 6);
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.HasSameClassAndValue(uriTag))
                {
                    return names.ReadCharacterString(UniversalTagNumber.IA5String, uriTag);
                }

                names.ReadEncodedValue();
            }
        }
        catch (AsnContentException)
        {
            return null;
        }

        return null;
    }
}
