// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Connect;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

public sealed class ConnectPeerVerifierTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider time = new(Now);
    private readonly TestConnectCa ca = new(notBefore: Now.AddDays(-30), notAfter: Now.AddYears(10));
    private readonly ConnectPeerVerifier verifier;

    public ConnectPeerVerifierTests() => verifier = new ConnectPeerVerifier(time);

    public void Dispose() => ca.Dispose();

    [Fact]
    public void ServerOfTheExpectedServiceAndDatacenterIsAccepted()
    {
        using var leaf = ca.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        var result = verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1");
        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal(SpiffeId.ForService(ca.TrustDomain, "dc1", "catalog"), result.Peer);
    }

    [Fact]
    public void ClientIsAcceptedWhateverItsService()
    {
        using var leaf = ca.Leaf("orders", "dc2", Now.AddMinutes(-1), Now.AddHours(72));
        var result = verifier.VerifyClient(leaf, null, ca.Trust());
        Assert.True(result.IsAccepted, result.ToString());
        Assert.Equal("orders", result.Peer.Name);
        Assert.Equal("dc2", result.Peer.Datacenter);
    }

    [Fact]
    public void NoCertificate()
    {
        AssertRefused(verifier.VerifyServer(null, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.NoCertificate, "no certificate");
        AssertRefused(verifier.VerifyClient(null, null, ca.Trust()), PeerVerificationFailure.NoCertificate, "no certificate");
    }

    [Fact]
    public void NoRootsFailsClosed()
    {
        using var leaf = ca.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, null, "catalog", "dc1"), PeerVerificationFailure.NoRoots, "roots are not known");
    }

    [Fact]
    public void CertificateOfAnotherCaIsUntrusted()
    {
        using var other = new TestConnectCa(notBefore: Now.AddDays(-30), notAfter: Now.AddYears(10));   // same trust domain, other key
        using var leaf = other.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UntrustedChain, "does not chain to one of Consul's 1 root(s)");
        AssertRefused(verifier.VerifyClient(leaf, null, ca.Trust()), PeerVerificationFailure.UntrustedChain, "client authentication");
    }

    [Fact]
    public void PresentedCopyOfTheRootDoesNotMakeAnotherCaTrusted()
    {
        using var other = new TestConnectCa(notBefore: Now.AddDays(-30), notAfter: Now.AddYears(10));
        using var leaf = other.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, [other.Root], ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UntrustedChain, "does not chain");
    }

    [Fact]
    public void ExpiredByTheInjectedClock()
    {
        using var leaf = ca.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        Assert.True(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1").IsAccepted);

        // The same certificate once the injected clock is past its end: only the clock decides.
        time.Advance(TimeSpan.FromHours(72) + TimeSpan.FromSeconds(1));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.Expired, "expired at");
    }

    [Fact]
    public void NotYetValidByTheInjectedClock()
    {
        using var leaf = ca.Leaf("catalog", "dc1", Now.AddHours(1), Now.AddHours(72));
        AssertRefused(verifier.VerifyClient(leaf, null, ca.Trust()), PeerVerificationFailure.NotYetValid, "valid only from");
        time.SetUtcNow(Now.AddHours(2));
        Assert.True(verifier.VerifyClient(leaf, null, ca.Trust()).IsAccepted);
    }

    [Fact]
    public void ExpiredIntermediateIsExpired()
    {
        using var secondary = new TestConnectCa(notBefore: Now.AddDays(-30), notAfter: Now.AddYears(10), name: "Secondary");
        using var intermediate = ca.CrossSign(secondary, Now.AddDays(-30), Now.AddHours(-1));
        using var leaf = secondary.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, [intermediate], ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.Expired, "validity period");
    }

    [Theory]
    [InlineData("/agent/client/dc/dc1/id/node-1", "Agent")]
    [InlineData("/agent/server/dc/dc1", "Server")]
    [InlineData("/gateway/mesh/dc/dc1", "MeshGateway")]
    [InlineData("", "Signing")]
    public void OtherKindsOfIdentityAreRefused(string path, string kind)
    {
        using var leaf = ca.Issue([$"spiffe://{ca.TrustDomain}{path}"], Now.AddMinutes(-1), Now.AddHours(72));
        var server = verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1");
        AssertRefused(server, PeerVerificationFailure.NotAService, $"is a {kind} identity");
        Assert.Equal(kind, server.Peer?.Kind.ToString());
        AssertRefused(verifier.VerifyClient(leaf, null, ca.Trust()), PeerVerificationFailure.NotAService, $"is a {kind} identity");
    }

    [Fact]
    public void WrongService()
    {
        using var leaf = ca.Leaf("payments", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.WrongService, "names service 'payments', not 'catalog'");
    }

    [Fact]
    public void WrongDatacenter()
    {
        using var leaf = ca.Leaf("catalog", "dc2", Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.WrongDatacenter, "names datacenter 'dc2', not 'dc1'");
    }

    [Fact]
    public void ServiceAndDatacenterCompareCaseInsensitively()
    {
        using var leaf = ca.Leaf("Catalog", "DC1", Now.AddMinutes(-1), Now.AddHours(72));
        Assert.True(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1").IsAccepted);
    }

    [Fact]
    public void WrongTrustDomain()
    {
        // Signed by the trusted CA, but naming another cluster's trust domain.
        using var leaf = ca.Issue(["spiffe://99999999-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/catalog"], Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.WrongTrustDomain, "not this cluster's");
        AssertRefused(verifier.VerifyClient(leaf, null, ca.Trust()), PeerVerificationFailure.WrongTrustDomain, "not this cluster's");
    }

    [Fact]
    public void OtherNamespaceOrPartition()
    {
        using var ns = ca.Issue([$"spiffe://{ca.TrustDomain}/ns/billing/dc/dc1/svc/catalog"], Now.AddMinutes(-1), Now.AddHours(72));
        using var ap = ca.Issue([$"spiffe://{ca.TrustDomain}/ap/team/ns/default/dc/dc1/svc/catalog"], Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyClient(ns, null, ca.Trust()), PeerVerificationFailure.WrongNamespace, "namespace 'billing'");
        AssertRefused(verifier.VerifyServer(ap, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.WrongNamespace, "partition 'team'");
    }

    [Fact]
    public void NotExactlyOneUriSan()
    {
        using var none = ca.Issue([], Now.AddMinutes(-1), Now.AddHours(72));
        using var two = ca.Issue([$"spiffe://{ca.TrustDomain}/ns/default/dc/dc1/svc/catalog", $"spiffe://{ca.TrustDomain}/ns/default/dc/dc1/svc/admin"], Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(none, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UriSanCount, "has 0 URI SANs");
        AssertRefused(verifier.VerifyServer(two, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UriSanCount, "has 2 URI SANs");
    }

    [Fact]
    public void MalformedIdentity()
    {
        using var leaf = ca.Issue([$"spiffe://{ca.TrustDomain}/ns/default/dc/dc1/svc/cat%61log"], Now.AddMinutes(-1), Now.AddHours(72));
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.MalformedIdentity, "cat%61log");
    }

    [Fact]
    public void UsageOfTheOtherSideIsRefused()
    {
        using var clientOnly = ca.Issue([$"spiffe://{ca.TrustDomain}/ns/default/dc/dc1/svc/catalog"], Now.AddMinutes(-1), Now.AddHours(72), serverAuth: false);
        using var serverOnly = ca.Issue([$"spiffe://{ca.TrustDomain}/ns/default/dc/dc1/svc/orders"], Now.AddMinutes(-1), Now.AddHours(72), clientAuth: false);
        AssertRefused(verifier.VerifyServer(clientOnly, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UntrustedChain, "server authentication");
        AssertRefused(verifier.VerifyClient(serverOnly, null, ca.Trust()), PeerVerificationFailure.UntrustedChain, "client authentication");
        Assert.True(verifier.VerifyClient(clientOnly, null, ca.Trust()).IsAccepted);
        Assert.True(verifier.VerifyServer(serverOnly, null, ca.Trust(), "orders", "dc1").IsAccepted);
    }

    [Fact]
    public void IntermediateSentByThePeerCompletesTheChain()
    {
        using var secondary = new TestConnectCa(notBefore: Now.AddDays(-30), notAfter: Now.AddYears(10), name: "Secondary");
        using var intermediate = ca.CrossSign(secondary, Now.AddDays(-30), Now.AddYears(1));
        using var leaf = secondary.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        Assert.True(verifier.VerifyServer(leaf, [intermediate], ca.Trust(), "catalog", "dc1").IsAccepted);
        AssertRefused(verifier.VerifyServer(leaf, null, ca.Trust(), "catalog", "dc1"), PeerVerificationFailure.UntrustedChain, "does not chain");
    }

    [Fact]
    public void RootRotationTrustsLeavesOfBothRoots()
    {
        // After a rotation the roots answer lists the old root (inactive) and the new one: a peer still on the old leaf
        // and one on the new leaf both pass, and a peer that only knows the old root accepts a new leaf that travels
        // with the new root cross-signed by the old key (Consul's CertPEM during a rotation).
        using var next = new TestConnectCa(notBefore: Now.AddDays(-1), notAfter: Now.AddYears(10), name: "Next");
        using var crossSigned = ca.CrossSign(next, Now.AddDays(-1), Now.AddDays(6));
        var both = ca.Trust(next);
        using var oldLeaf = ca.Leaf("catalog", "dc1", Now.AddHours(-10), Now.AddHours(62));
        using var newLeaf = next.Leaf("catalog", "dc1", Now.AddMinutes(-1), Now.AddHours(72));
        Assert.True(verifier.VerifyServer(oldLeaf, null, both, "catalog", "dc1").IsAccepted);
        Assert.True(verifier.VerifyServer(newLeaf, null, both, "catalog", "dc1").IsAccepted);
        Assert.True(verifier.VerifyServer(newLeaf, [crossSigned], ca.Trust(), "catalog", "dc1").IsAccepted);

        // Once the old root is pruned, its leaves are refused.
        var pruned = next.Trust();
        AssertRefused(verifier.VerifyServer(oldLeaf, null, pruned, "catalog", "dc1"), PeerVerificationFailure.UntrustedChain, "does not chain");
    }

    [Fact]
    public void FailureTagValuesAreDistinctSnakeCase()
    {
        var values = Enum.GetValues<PeerVerificationFailure>().Select(static f => f.ToTagValue()).ToArray();
        Assert.Equal(values.Length, values.Distinct(StringComparer.Ordinal).Count());
        Assert.All(values, static v => Assert.Matches("^[a-z]+(_[a-z]+)*$", v));
    }

    private static void AssertRefused(PeerVerification result, PeerVerificationFailure failure, string detail)
    {
        Assert.False(result.IsAccepted, result.ToString());
        Assert.Equal(failure, result.Failure);
        Assert.Contains(detail, result.Detail, StringComparison.Ordinal);
    }
}
