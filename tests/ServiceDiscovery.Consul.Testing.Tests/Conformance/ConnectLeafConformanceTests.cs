// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md, Connect: leaf certificates from <c>/v1/agent/connect/ca/leaf/:service</c>.</summary>
public sealed class ConnectLeafConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Leaf_HasConsulsExactContents_AndChainsToTheRoots()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var service = consul.Name("web");
        var dc = await ConnectAssert.DatacenterAsync(consul);
        var roots = (await consul.GetAsync("/v1/agent/connect/ca/roots")).Json;
        var trustDomain = roots["TrustDomain"]!.GetValue<string>();

        var reply = await consul.GetAsync($"/v1/agent/connect/ca/leaf/{service}");
        Assert.Equal(200, reply.Status);
        var json = reply.Json;
        var uri = $"spiffe://{trustDomain}/ns/default/dc/{dc}/svc/{service}";
        Assert.Equal(service, json["Service"]!.GetValue<string>());
        Assert.Equal(uri, json["ServiceURI"]!.GetValue<string>());
        Assert.Equal(json["ModifyIndex"]!.GetValue<ulong>(), reply.Index);
        Assert.Null(json["Agent"]);
        Assert.Null(json["Kind"]);

        var bundle = ConnectAssert.Bundle(json["CertPEM"]!.GetValue<string>());
        var leaf = bundle[0];
        Assert.Empty(leaf.SubjectName.RawData.Skip(2));
        Assert.Equal([new Uri(uri)], ConnectCaConformanceTests.UriSans(leaf));
        Assert.True(leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().Critical);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var eku = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
        Assert.Equal(new HashSet<string?> { "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2" }, eku);
        Assert.Equal(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment | X509KeyUsageFlags.KeyAgreement,
            leaf.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(ConnectCaConformanceTests.ColonHex(leaf.GetSerialNumber().Reverse().ToArray()), json["SerialNumber"]!.GetValue<string>());
        Assert.Equal(leaf.NotBefore.ToUniversalTime(), DateTime.Parse(json["ValidAfter"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal));
        Assert.Equal(leaf.NotAfter.ToUniversalTime(), DateTime.Parse(json["ValidBefore"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.AdjustToUniversal));

        var keyPem = json["PrivateKeyPEM"]!.GetValue<string>();
        Assert.StartsWith("-----BEGIN EC PRIVATE KEY-----", keyPem, StringComparison.Ordinal);
        using var key = ECDsa.Create();
        key.ImportFromPem(keyPem);
        Assert.Equal(256, key.KeySize);
        using var withKey = leaf.CopyWithPrivateKey(key);
        Assert.True(withKey.HasPrivateKey);

        Assert.True(ConnectAssert.Verifies(leaf, ConnectAssert.RootPool(roots), bundle));
        using var stranger = X509Certificate2.CreateFromPem(CreateSelfSignedPem());
        Assert.False(ConnectAssert.Verifies(leaf, [stranger], bundle));
    }

    [Fact]
    public async Task Leaf_IsTheSameCertificateUntilRenewal()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var service = consul.Name("web");
        var first = await consul.GetAsync($"/v1/agent/connect/ca/leaf/{service}");
        var second = await consul.GetAsync($"/v1/agent/connect/ca/leaf/{service}");
        Assert.Equal(first.Json["CertPEM"]!.GetValue<string>(), second.Json["CertPEM"]!.GetValue<string>());
        Assert.Equal(first.Json["PrivateKeyPEM"]!.GetValue<string>(), second.Json["PrivateKeyPEM"]!.GetValue<string>());
        Assert.Equal(first.Index, second.Index);
        Assert.Equal("HIT", second.Header("X-Cache"));

        var other = await consul.GetAsync($"/v1/agent/connect/ca/leaf/{consul.Name("api")}");
        Assert.NotEqual(first.Json["SerialNumber"]!.GetValue<string>(), other.Json["SerialNumber"]!.GetValue<string>());
        Assert.True(other.Index > first.Index, "each issuance is a Raft write: the index moves");
    }

    [Fact]
    public async Task Leaf_BlockingQueryReturnsTheRenewedCertificateInTheRenewalWindow()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = new ConsulTestAgentOptions { NodeName = "node1", TimeProvider = time };
        options.Connect.LeafCertTtl = TimeSpan.FromMinutes(10);
        await using var consul = await ConsulTarget.StartAgentAsync(options, "renewal timing needs the agent's clock");
        var agent = consul.RequireAgent("clock");
        var first = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        var lifetime = DateTimeOffset.Parse(first.Json["ValidBefore"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)
            - DateTimeOffset.Parse(first.Json["ValidAfter"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromMinutes(10), lifetime);

        var blocked = consul.GetAsync($"/v1/agent/connect/ca/leaf/web?index={first.Index}&wait=10m");
        await agent.WaitUntilAsync(a => a.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);

        // Short of 60 % of the lifetime (counted from ValidAfter, a minute before issue): still the same leaf.
        time.Advance(TimeSpan.FromMinutes(4));
        var early = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        Assert.Equal(first.Json["SerialNumber"]!.GetValue<string>(), early.Json["SerialNumber"]!.GetValue<string>());
        Assert.False(blocked.IsCompleted);

        // Past 90 % (issue + 8 min) but before the 10-minute wait ends: the blocked query answers the renewed leaf.
        time.Advance(TimeSpan.FromMinutes(4.5));
        var renewed = await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(200, renewed.Status);
        Assert.NotEqual(first.Json["SerialNumber"]!.GetValue<string>(), renewed.Json["SerialNumber"]!.GetValue<string>());
        Assert.True(renewed.Index > first.Index);
        var again = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        Assert.Equal(renewed.Json["CertPEM"]!.GetValue<string>(), again.Json["CertPEM"]!.GetValue<string>());
    }

    [Fact]
    public async Task Leaf_BlockingQueryAtTimeoutReturnsTheSameCertificate()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = new ConsulTestAgentOptions { NodeName = "node1", TimeProvider = time };
        await using var consul = await ConsulTarget.StartAgentAsync(options, "the wait runs on the agent's clock");
        var agent = consul.RequireAgent("clock");
        var first = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        var blocked = consul.GetAsync($"/v1/agent/connect/ca/leaf/web?index={first.Index}&wait=1m");
        await agent.WaitUntilAsync(a => a.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromMinutes(2));
        var reply = await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(first.Json["CertPEM"]!.GetValue<string>(), reply.Json["CertPEM"]!.GetValue<string>());
        Assert.Equal(first.Index, reply.Index);
    }

    [Fact]
    public async Task Leaf_NeedsServiceWrite()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(ConnectAssert.AclOptions(), "needs ACLs on");
        var denied = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        Assert.Equal(403, denied.Status);
        Assert.Equal("Permission denied: anonymous token lacks permission 'service:write' on \"web\". The anonymous token is used implicitly when a request does not specify a token.", denied.Text);
        Assert.Equal(200, (await consul.GetAsync("/v1/agent/connect/ca/leaf/web", token: "root")).Status);
    }

    private static string CreateSelfSignedPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=stranger", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddDays(-1), TimeProvider.System.GetUtcNow().AddDays(1));
        return certificate.ExportCertificatePem();
    }
}
