// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Decides, inside the TLS handshake, whether an incoming Connect caller is accepted: its certificate must chain to
/// Consul's current roots (nothing else is trusted; the handshake's own chain and policy errors are ignored), carry a
/// SPIFFE id that names a service (an agent, server, gateway or signing id is refused), and Consul's intentions must
/// allow that service to call this one (<see cref="ConnectAuthorizer"/>). Every refusal is logged with the caller and
/// the reason, and counted.
/// </summary>
internal sealed partial class ConnectHandshakeValidator(
    ConnectCertificateSource source,
    ConnectAuthorizer authorizer,
    TimeProvider timeProvider,
    ConnectMetrics metrics,
    ILogger<ConnectHandshakeValidator> logger)
{
    /// <summary>Kestrel's <c>ClientCertificateValidation</c>: true accepts the connection, false ends the handshake.</summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var target = source.ServiceName;
        var trust = source.Trust;
        if (trust is null)
        {
            return Refuse(target, "no_roots", certificate, "this app has no Consul CA roots yet");
        }

        if (!ConnectPeerCheck.Verify(certificate, chain, trust.Roots, ConnectPeerCheck.ClientAuth, timeProvider.GetUtcNow(), out var id, out var reason, out var problem))
        {
            return Refuse(target, reason, certificate, problem);
        }

        if (id.Kind != SpiffeIdKind.Service)
        {
            return Refuse(target, "not_a_service", certificate, $"its identity {id} is a {id.Kind} identity; only services may connect");
        }

        var callerUri = id.ToString();
        var serial = ColonHex(certificate.SerialNumberBytes.Span);

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

    private static string ColonHex(ReadOnlySpan<byte> bigEndian) => Convert.ToHexStringLower(bigEndian) is { Length: > 0 } hex
        ? string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)))
        : string.Empty;
}
