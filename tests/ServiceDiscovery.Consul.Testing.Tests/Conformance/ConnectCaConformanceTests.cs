// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md, Connect: the built-in CA's roots, as the server and the agent serve them.</summary>
public sealed class ConnectCaConformanceTests
{
    [Fact]
    public async Task Roots_HaveConsulsShapeAndContents()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = await consul.GetAsync("/v1/agent/connect/ca/roots");
        var server = await consul.GetAsync("/v1/connect/ca/roots");
        Assert.Equal((200, 200), (agent.Status, server.Status));
        Assert.Equal(server.Json["ActiveRootID"]!.GetValue<string>(), agent.Json["ActiveRootID"]!.GetValue<string>());
        Assert.Contains(agent.Header("X-Cache"), new[] { "HIT", "MISS" });
        Assert.True(server.Index >= 1);

        var trustDomain = server.Json["TrustDomain"]!.GetValue<string>();
        Assert.EndsWith(".consul", trustDomain, StringComparison.Ordinal);
        var active = Assert.Single(server.Json["Roots"]!.AsArray(), r => r!["Active"]!.GetValue<bool>())!;
        Assert.Equal(server.Json["ActiveRootID"]!.GetValue<string>(), active["ID"]!.GetValue<string>());
        Assert.Equal(trustDomain, active["ExternalTrustDomain"]!.GetValue<string>() + ".consul");
        Assert.Equal("ec", active["PrivateKeyType"]!.GetValue<string>());
        Assert.Equal(256, active["PrivateKeyBits"]!.GetValue<int>());

        var pem = active["RootCert"]!.GetValue<string>();
        Assert.EndsWith("\n", pem, StringComparison.Ordinal);
        using var root = X509Certificate2.CreateFromPem(pem);
#pragma warning disable CA5350 // Consul's root ID is the SHA-1 of the DER.
        Assert.Equal(ColonHex(SHA1.HashData(root.RawData)), active["ID"]!.GetValue<string>());
#pragma warning restore CA5350
        var ski = root.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single();
        Assert.Equal(ColonHex(ski.SubjectKeyIdentifierBytes.Span), active["SigningKeyID"]!.GetValue<string>());
        Assert.Equal(32, ski.SubjectKeyIdentifierBytes.Length);
        Assert.True(root.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.Equal(root.SubjectName.RawData, root.IssuerName.RawData);
        Assert.Equal([new Uri($"spiffe://{trustDomain}")], UriSans(root));
        Assert.Matches("^CN=pri-[0-9a-z]{8}\\.consul\\.ca\\.[0-9a-f]{8}\\.consul$", root.Subject);
        Assert.Equal(root.GetSerialNumber().Reverse().Aggregate(0UL, (n, b) => (n << 8) | b), active["SerialNumber"]!.GetValue<ulong>());
    }

    [Fact]
    public async Task Roots_PemIsEachRootWithItsIntermediates_AndABadPemValueIs400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var json = await consul.GetAsync("/v1/connect/ca/roots");
        var pem = await consul.GetAsync("/v1/connect/ca/roots?pem=true");
        Assert.Equal(200, pem.Status);
        Assert.Equal("application/pem-certificate-chain", pem.Header("Content-Type"));
        var expected = string.Concat(json.Json["Roots"]!.AsArray().Select(r => r!["RootCert"]!.GetValue<string>()
            + string.Concat(r["IntermediateCerts"]?.AsArray().Select(i => i!.GetValue<string>()) ?? [])));
        Assert.Equal(expected, pem.Text);

        var bad = await consul.GetAsync("/v1/connect/ca/roots?pem=maybe");
        Assert.Equal((400, "The 'pem' query parameter must be a boolean value"), (bad.Status, bad.Text));
    }

    [Fact]
    public async Task AgentRoots_SecondReadIsACacheHit()
    {
        await using var consul = await ConsulTarget.StartAsync();
        await consul.GetAsync("/v1/agent/connect/ca/roots");
        var second = await consul.GetAsync("/v1/agent/connect/ca/roots");
        Assert.Equal("HIT", second.Header("X-Cache"));
    }

    [Fact]
    public async Task ConnectDisabled_CaEndpointsAnswerConsuls500()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Connect.Enabled = false;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "a real Consul's connect.enabled is fixed at start");
        foreach (var path in new[] { "/v1/agent/connect/ca/roots", "/v1/connect/ca/roots", "/v1/agent/connect/ca/leaf/web", "/v1/connect/ca/configuration" })
        {
            var reply = await consul.GetAsync(path);
            Assert.Equal((500, "Connect must be enabled in order to use this endpoint"), (reply.Status, reply.Text));
        }
    }

    internal static string ColonHex(ReadOnlySpan<byte> bytes) => string.Join(':', bytes.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The URI names of a certificate's subject alternative names.</summary>
    internal static List<Uri> UriSans(X509Certificate2 certificate)
    {
        var result = new List<Uri>();
        var extension = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
        while (reader.HasData)
        {
            var tag = reader.PeekTag();
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
            {
                result.Add(new Uri(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6))));
            }
            else
            {
                reader.ReadEncodedValue();
            }
        }

        return result;
    }
}
