// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>The Connect options' validation texts and the SPIFFE identities authorize tells apart.</summary>
public sealed class ConnectOptionsAndSpiffeTests
{
    [Theory]
    [InlineData("LeafCertTtl", "ConsulTestAgentOptions.Connect.LeafCertTtl must be between 2 minutes and 8760 hours")]
    [InlineData("LeafReissueJitter", "ConsulTestAgentOptions.Connect.LeafReissueJitter must not be negative")]
    [InlineData("DefaultIntentionPolicy", "ConsulTestAgentOptions.Connect.DefaultIntentionPolicy must be 'allow', 'deny' or empty")]
    public async Task BadConnectOption_FailsStartNamingTheSetting(string setting, string text)
    {
        var options = new ConsulTestAgentOptions();
        _ = setting switch
        {
            "LeafCertTtl" => options.Connect.LeafCertTtl = TimeSpan.FromSeconds(30),
            "LeafReissueJitter" => options.Connect.LeafReissueJitter = TimeSpan.FromSeconds(-1),
            _ => (object)(options.Connect.DefaultIntentionPolicy = "maybe"),
        };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ConsulTestAgent.StartAsync(options, TestContext.Current.CancellationToken));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/web", "Service", "default", "web")]
    [InlineData("spiffe://td.consul/ap/part/ns/default/dc/dc1/svc/web", "Service", "part", "web")]
    [InlineData("spiffe://td.consul/agent/client/dc/dc1/id/node1", "Agent", "default", "")]
    [InlineData("spiffe://td.consul/agent/server/dc/dc1", "Server", "default", "")]
    [InlineData("spiffe://td.consul/gateway/mesh/dc/dc1", "MeshGateway", "default", "")]
    [InlineData("spiffe://td.consul", "Signing", "default", "")]
    public void Parse_RecognisesConsulsIdentities(string uri, string kind, string partition, string service)
    {
        var id = SpiffeId.Parse(uri);
        Assert.NotNull(id);
        Assert.Equal((kind, "td.consul", partition, service), (id.Kind.ToString(), id.TrustDomain, id.Partition, id.Service));
    }

    [Theory]
    [InlineData("https://td.consul/ns/default/dc/dc1/svc/web")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/web/extra")]
    [InlineData("spiffe://td.consul/dc/dc1/svc/web")]
    [InlineData("not a uri")]
    public void Parse_RejectsOtherUris(string uri) => Assert.Null(SpiffeId.Parse(uri));
}
