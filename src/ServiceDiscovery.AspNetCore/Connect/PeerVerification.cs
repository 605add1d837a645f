// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// The outcome of <see cref="ConnectPeerVerifier"/>: the peer's service identity when accepted, otherwise why not
/// and a sentence for the log (it quotes identities and certificate subjects, never a key).
/// </summary>
internal readonly record struct PeerVerification
{
    private PeerVerification(SpiffeId? peer, PeerVerificationFailure? failure, string? detail)
    {
        Peer = peer;
        Failure = failure;
        Detail = detail ?? "";
    }

    /// <summary>Gets the peer's identity: always set when accepted; set when refused after the identity was read.</summary>
    public SpiffeId? Peer { get; }

    /// <summary>Gets why the peer was refused; <see langword="null"/> when it was accepted.</summary>
    public PeerVerificationFailure? Failure { get; }

    /// <summary>Gets what was wrong, for the log; empty when accepted.</summary>
    public string Detail { get; }

    /// <summary>Gets a value indicating whether the peer was accepted.</summary>
    [MemberNotNullWhen(true, nameof(Peer))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsAccepted => Failure is null;

    public static PeerVerification Accepted(SpiffeId peer) => new(peer, null, null);

    public static PeerVerification Refused(PeerVerificationFailure failure, string detail, SpiffeId? peer = null) => new(peer, failure, detail);

    /// <inheritdoc />
    public override string ToString() => IsAccepted ? $"accepted {Peer}" : $"refused ({Failure}): {Detail}";
}
