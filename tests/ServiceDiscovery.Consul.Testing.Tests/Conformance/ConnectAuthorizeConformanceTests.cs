// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md, Connect: <c>POST /v1/agent/connect/authorize</c>, its input errors and default decisions.</summary>
public sealed class ConnectAuthorizeConformanceTests
{
    [Fact]
    public async Task NoIntention_AclsOff_AllowsByTheAclDefault()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await AuthorizeAsync(consul, consul.Name("db"), $"spiffe://11111111-2222-3333-4444-555555555555.consul/ns/default/dc/dc1/svc/{consul.Name("web")}");
        Assert.Equal(200, reply.Status);
        Assert.True(reply.Json["Authorized"]!.GetValue<bool>());
        Assert.Equal("Default behavior configured by ACLs", reply.Json["Reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoIntention_DefaultIntentionPolicyDeny_Denies()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Connect.DefaultIntentionPolicy = "deny";
        await using var consul = await ConsulTarget.StartAgentAsync(options, "default_intention_policy is fixed at start");
        var reply = await AuthorizeAsync(consul, "db", "spiffe://x.consul/ns/default/dc/dc1/svc/web");
        Assert.False(reply.Json["Authorized"]!.GetValue<bool>());
        Assert.Equal("Default intention policy", reply.Json["Reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task NoIntention_AclDefaultDeny_Denies()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(ConnectAssert.AclOptions(), "needs ACLs on with a deny default");
        var reply = await AuthorizeAsync(consul, "db", "spiffe://x.consul/ns/default/dc/dc1/svc/web", token: "root");
        Assert.False(reply.Json["Authorized"]!.GetValue<bool>());
        Assert.Equal("Default behavior configured by ACLs", reply.Json["Reason"]!.GetValue<string>());

        var anonymous = await AuthorizeAsync(consul, "db", "spiffe://x.consul/ns/default/dc/dc1/svc/web");
        Assert.Equal(403, anonymous.Status);
        Assert.StartsWith("Permission denied: anonymous token lacks permission 'service:write' on \"db\"", anonymous.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"Target":"db","ClientCertURI":"spiffe://x.consul/ns/default/dc/dc1/svc/web","Bogus":1}""", "Request decode failed: json: unknown field \"Bogus\"")]
    [InlineData("""{"ClientCertURI":"spiffe://x.consul/ns/default/dc/dc1/svc/web"}""", "Target service must be specified")]
    [InlineData("""{"Target":"db","ClientCertURI":"https://x.consul/ns/default/dc/dc1/svc/web"}""", "ClientCertURI not a valid Connect identifier")]
    [InlineData("""{"Target":"db","ClientCertURI":"spiffe://x.consul/ns/default/dc/dc1/other/web"}""", "ClientCertURI not a valid Connect identifier")]
    [InlineData("""{"Target":"db","ClientCertURI":"spiffe://x.consul/agent/client/dc/dc1/id/node1"}""", "ClientCertURI not a valid Service identifier")]
    [InlineData("""{"Target":"db","ClientCertURI":"spiffe://x.consul/gateway/mesh/dc/dc1"}""", "ClientCertURI not a valid Service identifier")]
    [InlineData("""{"Target":"db","ClientCertURI":"spiffe://x.consul"}""", "ClientCertURI not a valid Service identifier")]
    public async Task BadInput_Is400WithConsulsText(string body, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(HttpMethod.Post, "/v1/agent/connect/authorize", body);
        Assert.Equal((400, text), (reply.Status, reply.Text));
    }

    [Fact]
    public async Task WrongMethod_Is405()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/connect/authorize");
        Assert.Equal(405, reply.Status);
    }

    internal static Task<Reply> AuthorizeAsync(ConsulTarget consul, string target, string uri, string? token = null) =>
        consul.SendAsync(HttpMethod.Post, "/v1/agent/connect/authorize", $$"""{"Target":"{{target}}","ClientCertURI":"{{uri}}","ClientCertSerial":"01"}""", token);
}
