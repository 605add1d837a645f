// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Decides whether a Connect peer's certificate is acceptable, for both sides of a connection, with nothing
/// accepted on a fall-back path:
/// <list type="number">
/// <item>a certificate was presented and Consul's roots are known (else fail closed);</item>
/// <item>it is valid now, by the injected <see cref="TimeProvider"/>;</item>
/// <item>its chain builds to one of Consul's current roots (custom root trust: the machine's store is never
/// consulted; intermediates are those the peer sent, as Consul's Go SDK takes them), with the usage of its side
/// (server or client authentication), every certificate of the chain valid now;</item>
/// <item>it has exactly one URI SAN, a Consul service identity in the roots' trust domain, default partition and
/// namespace;</item>
/// <item>client side only: it names the service called, in the datacenter of the instance called.</item>
/// </list>
/// Host names are never checked: Connect certificates have none.
/// </summary>
internal sealed class ConnectPeerVerifier(TimeProvider time)
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <summary>Client side: the certificate of an instance of <paramref name="service"/> in <paramref name="datacenter"/>.</summary>
    public PeerVerification VerifyServer(X509Certificate2? certificate, IEnumerable<X509Certificate2>? presented, ConnectTrust? trust, string service, string datacenter)
    {
        var result = Verify(certificate, presented, trust, ServerAuthentication);
        if (!result.IsAccepted)
        {
            return result;
        }

        var peer = result.Peer;
        if (!string.Equals(peer.Name, service, StringComparison.OrdinalIgnoreCase))
        {
            return PeerVerification.Refused(PeerVerificationFailure.WrongService, $"the server presented '{peer}', which names service '{peer.Name}', not '{service}'", peer);
        }

        return string.Equals(peer.Datacenter, datacenter, StringComparison.OrdinalIgnoreCase)
            ? result
            : PeerVerification.Refused(PeerVerificationFailure.WrongDatacenter, $"the server presented '{peer}', which names datacenter '{peer.Datacenter}', not '{datacenter}' where the instance was discovered", peer);
    }

    /// <summary>Server side: the certificate of a caller; which services may call is for intentions to say.</summary>
    public PeerVerification VerifyClient(X509Certificate2? certificate, IEnumerable<X509Certificate2>? presented, ConnectTrust? trust)
        => Verify(certificate, presented, trust, ClientAuthentication);

    private PeerVerification Verify(X509Certificate2? certificate, IEnumerable<X509Certificate2>? presented, ConnectTrust? trust, Oid usage)
    {
        if (certificate is null)
        {
            return PeerVerification.Refused(PeerVerificationFailure.NoCertificate, "the peer presented no certificate");
        }

        if (trust is null || trust.Roots.Count == 0)
        {
            return PeerVerification.Refused(PeerVerificationFailure.NoRoots, "Consul's CA roots are not known yet (or the roots answer had none), so no certificate can be trusted");
        }

        var now = time.GetUtcNow();
        if (ValidityProblem(certificate, now) is { } validity)
        {
            return validity;
        }

        if (ChainProblem(certificate, presented, trust, usage, now) is { } chain)
        {
            return chain;
        }

        return Identity(certificate, trust);
    }

    private static PeerVerification? ValidityProblem(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime())
        {
            return PeerVerification.Refused(PeerVerificationFailure.NotYetValid, $"the certificate (serial {certificate.SerialNumber}) is valid only from {Format(certificate.NotBefore)}; it is {Format(now)}");
        }

        return now > certificate.NotAfter.ToUniversalTime()
            ? PeerVerification.Refused(PeerVerificationFailure.Expired, $"the certificate (serial {certificate.SerialNumber}) expired at {Format(certificate.NotAfter)}; it is {Format(now)}")
            : null;
    }

    private static PeerVerification? ChainProblem(X509Certificate2 certificate, IEnumerable<X509Certificate2>? presented, ConnectTrust trust, Oid usage, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        policy.CustomTrustStore.AddRange(trust.Roots);
        if (presented is not null)
        {
            foreach (var extra in presented)
            {
                policy.ExtraStore.Add(extra);
            }
        }

        policy.RevocationMode = X509RevocationMode.NoCheck;
        policy.DisableCertificateDownloads = true;
        policy.ApplicationPolicy.Add(usage);
        policy.VerificationTime = now.UtcDateTime;
        policy.VerificationTimeIgnored = false;
        try
        {
            if (chain.Build(certificate))
            {
                return null;
            }

            var statuses = new List<string>();
            var flags = X509ChainStatusFlags.NoError;
            foreach (var status in chain.ChainStatus)
            {
                flags |= status.Status;
                statuses.Add(status.Status.ToString());
            }

            var usageName = usage.Value == ServerAuthentication.Value ? "server authentication" : "client authentication";
            var detail = $"the certificate (serial {certificate.SerialNumber}, issuer '{certificate.Issuer}') does not chain to one of Consul's {trust.Roots.Count} root(s) for {usageName}: {string.Join(", ", statuses)}";
            return flags == X509ChainStatusFlags.NotTimeValid
                ? PeerVerification.Refused(PeerVerificationFailure.Expired, detail + " (a certificate of its chain is out of its validity period)")
                : PeerVerification.Refused(PeerVerificationFailure.UntrustedChain, detail);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    private static PeerVerification Identity(X509Certificate2 certificate, ConnectTrust trust)
    {
        List<string> uris;
        try
        {
            uris = UriSubjectAlternativeNames.Read(certificate);
        }
        catch (Exception ex) when (ex is AsnContentException or InvalidOperationException)
        {
            return PeerVerification.Refused(PeerVerificationFailure.UriSanCount, $"the certificate's Subject Alternative Name cannot be read: {ex.Message}");
        }

        if (uris.Count != 1)
        {
            return PeerVerification.Refused(PeerVerificationFailure.UriSanCount, $"the certificate has {uris.Count} URI SANs ({string.Join(", ", uris)}); a Connect certificate has exactly one");
        }

        if (!SpiffeIdParser.TryParse(uris[0], out var id, out var problem))
        {
            return PeerVerification.Refused(PeerVerificationFailure.MalformedIdentity, $"the certificate's URI SAN is not a Consul identity: {problem}");
        }

        if (id.Kind != SpiffeIdKind.Service)
        {
            return PeerVerification.Refused(PeerVerificationFailure.NotAService, $"the certificate's identity '{id}' is a {id.Kind} identity, not a service's", id);
        }

        if (!id.IsInTrustDomain(trust.TrustDomain))
        {
            return PeerVerification.Refused(PeerVerificationFailure.WrongTrustDomain, $"the certificate's identity '{id}' is in trust domain '{id.TrustDomain}', not this cluster's '{trust.TrustDomain}'", id);
        }

        return string.Equals(id.Partition, SpiffeId.DefaultTenancy, StringComparison.OrdinalIgnoreCase) && string.Equals(id.Namespace, SpiffeId.DefaultTenancy, StringComparison.OrdinalIgnoreCase)
            ? PeerVerification.Accepted(id)
            : PeerVerification.Refused(PeerVerificationFailure.WrongNamespace, $"the certificate's identity '{id}' is in partition '{id.Partition}', namespace '{id.Namespace}'; only 'default' is supported", id);
    }

    private static string Format(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Format(DateTime value) => Format(new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero));
}
