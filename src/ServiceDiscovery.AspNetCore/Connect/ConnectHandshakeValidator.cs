// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Decides, inside the TLS handshake, whether an incoming Connect caller is accepted: <see cref="ConnectPeerVerifier"/>
/// must accept its certificate (chained to Consul's current roots only, valid, one SPIFFE URI naming a service in our
/// trust domain; the handshake's own chain and policy errors are ignored), and Consul's intentions must
/// allow that service to call this one (<see cref="ConnectAuthorizer"/>). Every refusal is logged with the caller and
/// the reason, and counted.
/// </summary>
internal sealed partial class ConnectHandshakeValidator(
    ConnectCertificateSource source,
    ConnectPeerVerifier verifier,
    ConnectAuthorizer authorizer,
    TimeProvider timeProvider,
    ConnectMetrics metrics,
    ILogger<ConnectHandshakeValidator> logger)
{
    /// <summary>The longest a verified caller certificate is remembered before its chain is built again.</summary>
    internal static readonly TimeSpan RememberVerified = TimeSpan.FromMinutes(10);

    /// <summary>Past this many remembered caller certificates the memory is emptied rather than grown.</summary>
    internal const int MaxVerified = 10_000;

    /// <summary>
    /// Caller certificates <see cref="ConnectPeerVerifier"/> accepted, by SHA-256 of their DER: the same certificate
    /// against the same roots verifies the same way while it is valid, so a caller's next handshakes skip building the
    /// chain (callers keep a leaf for days). New roots, the certificate's expiry or <see cref="RememberVerified"/>
    /// verify it again.
    /// </summary>
    private readonly ConcurrentDictionary<string, VerifiedPeer> _verified = new(StringComparer.Ordinal);

    /// <summary>Kestrel's <c>ClientCertificateValidation</c>: true accepts the connection, false ends the handshake.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var target = source.ServiceName;
        var trust = source.Trust;
        var now = timeProvider.GetUtcNow();
        var key = certificate.GetCertHashString(HashAlgorithmName.SHA256);
        if (trust is null || !_verified.TryGetValue(key, out var verified) || !ReferenceEquals(verified.Trust, trust) || now < verified.From || now >= verified.Until)
        {
            // The intermediates the caller sent are the chain's elements past its own certificate; trust comes from the roots alone.
            var presented = chain?.ChainElements.Skip(1).Select(static e => e.Certificate).ToList();
            var result = verifier.VerifyClient(certificate, presented, trust);
            if (!result.IsAccepted)
            {
                _verified.TryRemove(key, out _);
                return Refuse(target, result.Failure.Value.ToTagValue(), certificate, result.Detail);
            }

            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear();
            }

            // Remembered while the certificate is valid, and at most RememberVerified (an intermediate of its chain
            // may expire before it, and is then noticed within that time).
            var until = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
            verified = new VerifiedPeer(trust!, result.Peer, new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero), until < now + RememberVerified ? until : now + RememberVerified);
            _verified[key] = verified;
        }

        var id = verified.Id;
        var callerUri = id.ToString();
        var serial = Serial(certificate);

        // Kestrel's callback is synchronous. A cached answer completes at once; a miss waits for the agent (bounded by
        // Consul:Timeout), and concurrent handshakes of the same caller share that one call.
#pragma warning disable VSTHRD002 // Synchronous by Kestrel's contract; the authorizer's awaits use ConfigureAwait(false) and there is no synchronization context.
        var decision = authorizer.AuthorizeAsync(target, callerUri, serial, CancellationToken.None).GetAwaiter().GetResult();
#pragma warning restore VSTHRD002
        if (!decision.Allowed)
        {
            // The authorizer logged the denial when Consul gave it (once per cache period), with caller, intention and reason.
            return Refuse(target, decision.Kind == ConnectDecision.AuthorizeFailed ? ConnectDecision.AuthorizeFailed : "denied", certificate, decision.Reason, logged: true);
        }

        metrics.Handshake(target, reason: null);
        return true;
    }

    private bool Refuse(string target, string reason, X509Certificate2 certificate, string detail, bool logged = false)
    {
        metrics.Handshake(target, reason);
        if (!logged)
        {
            // Certificate problems are logged at Information (and counted by reason).
            Log.Refused(logger, target, certificate.Subject, certificate.SerialNumber, reason, detail);
        }

        return false;
    }

    private sealed record VerifiedPeer(ConnectTrust Trust, SpiffeId Id, DateTimeOffset From, DateTimeOffset Until);

    /// <summary>The certificate's serial number as Consul writes it (lower-case hex bytes separated by colons).</summary>
    internal static string Serial(X509Certificate2 certificate) => ColonHex(certificate.SerialNumberBytes.Span);

    private static string ColonHex(ReadOnlySpan<byte> bigEndian) => Convert.ToHexStringLower(bigEndian) is { Length: > 0 } hex
        ? string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)))
        : string.Empty;
}
