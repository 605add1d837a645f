// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md, Connect: <c>/v1/connect/ca/configuration</c> and root rotation.</summary>
public sealed class ConnectCaConfigurationConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Configuration_DefaultsOfADevAgent()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { NodeName = "node1" }, "a shared real Consul's CA may have been reconfigured");
        var reply = await consul.GetAsync("/v1/connect/ca/configuration");
        Assert.Equal(200, reply.Status);
        Assert.Equal("consul", reply.Json["Provider"]!.GetValue<string>());
        Assert.Equal("72h", reply.Json["Config"]!["LeafCertTTL"]!.GetValue<string>());
        Assert.Equal("8760h", reply.Json["Config"]!["IntermediateCertTTL"]!.GetValue<string>());
        Assert.Equal("87600h", reply.Json["Config"]!["RootCertTTL"]!.GetValue<string>());
        Assert.False(reply.Json["ForceWithoutCrossSigning"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"LeafCertTTL":"59m59.999999999s"}""", "leaf cert TTL must be greater or equal than 1h0m0s; got 59m59.999999999s")]
    [InlineData("""{"LeafCertTTL":"1h0m0.000000001s","IntermediateCertTTL":"3h"}""", "Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL (>=3h0m0.000000003s).")]
    public async Task RefusedTtls_AreCheckedAndQuotedToTheNanosecond(string config, string error)
    {
        // A refused configuration changes nothing, so this runs against a shared real Consul too.
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.PutAsync("/v1/connect/ca/configuration", $$"""{"Provider":"consul","Config":{{config}}}""");

        Assert.Equal(500, reply.Status);
        Assert.Contains(error, reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TtlOnlyChange_KeepsTheRoot_AndBadValuesAreRefused()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { NodeName = "node1" }, "changes the CA configuration");
        var before = (await consul.GetAsync("/v1/connect/ca/roots")).Json["ActiveRootID"]!.GetValue<string>();
        var put = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Config":{"LeafCertTTL":"24h","IntermediateCertTTL":"8760h","RootCertTTL":"87600h"}}""");
        Assert.Equal((200, string.Empty), (put.Status, put.Text));
        Assert.Equal("24h", (await consul.GetAsync("/v1/connect/ca/configuration")).Json["Config"]!["LeafCertTTL"]!.GetValue<string>());
        var roots = (await consul.GetAsync("/v1/connect/ca/roots")).Json;
        Assert.Equal(before, roots["ActiveRootID"]!.GetValue<string>());
        Assert.Single(roots["Roots"]!.AsArray());

        var shortLeaf = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Config":{"LeafCertTTL":"30m"}}""");
        Assert.Equal(500, shortLeaf.Status);
        Assert.StartsWith("leaf cert TTL must be greater or equal than 1h0m0s", shortLeaf.Text, StringComparison.Ordinal);
        var rootOnly = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Config":{"RootCert":"x"}}""");
        Assert.Equal((500, "must provide a private key when providing a root cert"), (rootOnly.Status, rootOnly.Text));
        var bits = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Config":{"PrivateKeyType":"ec","PrivateKeyBits":300}}""");
        Assert.Equal(500, bits.Status);
        Assert.StartsWith("EC key length must be one of (224, 256, 384, 521) bits", bits.Text, StringComparison.Ordinal);
        var unknown = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Bogus":1}""");
        Assert.Equal((400, "Request decode failed: json: unknown field \"Bogus\""), (unknown.Status, unknown.Text));
    }

    [Fact]
    public async Task Rotation_KeepsTheOldRootTrusted_AndReissuesBlockedLeaves()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Connect.LeafReissueJitter = TimeSpan.Zero;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "rotates the CA");
        var agent = consul.RequireAgent("rotation");
        var oldRoots = (await consul.GetAsync("/v1/agent/connect/ca/roots")).Json;
        var oldRootId = oldRoots["ActiveRootID"]!.GetValue<string>();
        var leaf = await consul.GetAsync("/v1/agent/connect/ca/leaf/web");
        var blocked = consul.GetAsync($"/v1/agent/connect/ca/leaf/web?index={leaf.Index}&wait=5m");
        await agent.WaitUntilAsync(a => a.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);

        // A key size change rotates, as in Consul.
        var put = await consul.PutAsync("/v1/connect/ca/configuration", """{"Provider":"consul","Config":{"PrivateKeyType":"ec","PrivateKeyBits":384}}""");
        Assert.Equal(200, put.Status);

        var roots = (await consul.GetAsync("/v1/connect/ca/roots")).Json;
        var list = roots["Roots"]!.AsArray();
        Assert.Equal(2, list.Count);
        var old = list.Single(r => r!["ID"]!.GetValue<string>() == oldRootId)!;
        var active = list.Single(r => r!["Active"]!.GetValue<bool>())!;
        Assert.False(old["Active"]!.GetValue<bool>());
        Assert.NotEqual(oldRootId, roots["ActiveRootID"]!.GetValue<string>());
        Assert.Equal(384, active["PrivateKeyBits"]!.GetValue<int>());
        var crossSigned = Assert.Single(active["IntermediateCerts"]!.AsArray())!.GetValue<string>();

        var renewed = await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.NotEqual(leaf.Json["SerialNumber"]!.GetValue<string>(), renewed.Json["SerialNumber"]!.GetValue<string>());
        var certPem = renewed.Json["CertPEM"]!.GetValue<string>();
        Assert.EndsWith(crossSigned, certPem, StringComparison.Ordinal);
        var bundle = ConnectAssert.Bundle(certPem);
        Assert.Equal(2, bundle.Count);

        // A peer that knows only the old root still verifies the new leaf through the cross-signed certificate…
        Assert.True(ConnectAssert.Verifies(bundle[0], ConnectAssert.RootPool(oldRoots), bundle));
        // …and one that has the new roots verifies it directly; without the cross-signed copy the old root alone cannot.
        Assert.True(ConnectAssert.Verifies(bundle[0], ConnectAssert.RootPool(roots), [bundle[0]]));
        Assert.False(ConnectAssert.Verifies(bundle[0], ConnectAssert.RootPool(oldRoots), [bundle[0]]));
        // The old leaf still verifies against the listed roots during the transition.
        var oldLeaf = ConnectAssert.Bundle(leaf.Json["CertPEM"]!.GetValue<string>())[0];
        Assert.True(ConnectAssert.Verifies(oldLeaf, ConnectAssert.RootPool(roots), []));
    }

    [Fact]
    public async Task RotateHook_RotatesForEveryAgentOfACluster()
    {
        if (ConsulTarget.IsReal)
        {
            Assert.Skip("needs the test agent: the rotation hook");
        }

        var options = new ConsulTestAgentOptions();
        options.Connect.LeafReissueJitter = TimeSpan.Zero;
        await using var cluster = await ConsulTestCluster.StartAsync(2, options, TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = cluster.Agents[1].Address };
        var before = await http.GetStringAsync("/v1/agent/connect/ca/roots", TestContext.Current.CancellationToken);
        var id = cluster.Leader.RotateConnectRoot();
        var after = System.Text.Json.Nodes.JsonNode.Parse(await http.GetStringAsync("/v1/agent/connect/ca/roots", TestContext.Current.CancellationToken))!;
        Assert.Equal(id, after["ActiveRootID"]!.GetValue<string>());
        Assert.Contains(System.Text.Json.Nodes.JsonNode.Parse(before)!["ActiveRootID"]!.GetValue<string>(), after["Roots"]!.AsArray().Select(r => r!["ID"]!.GetValue<string>()));
    }
}
