// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary><c>/v1/acl/*</c> (agent/acl_endpoint.go): 401 when ACLs are off; the configured tokens when they are on.</summary>
public sealed class AclEndpointsConformanceTests
{
    private const string Management = "root-secret";

    [Theory]
    [InlineData("GET", "/v1/acl/token/self")]
    [InlineData("GET", "/v1/acl/tokens")]
    [InlineData("GET", "/v1/acl/policies")]
    [InlineData("GET", "/v1/acl/roles")]
    [InlineData("GET", "/v1/acl/auth-methods")]
    [InlineData("GET", "/v1/acl/binding-rules")]
    [InlineData("GET", "/v1/acl/replication")]
    [InlineData("GET", "/v1/acl/policy/name/global-management")]
    [InlineData("PUT", "/v1/acl/bootstrap")]
    [InlineData("PUT", "/v1/acl/token")]
    [InlineData("DELETE", "/v1/acl/token/00000000-0000-0000-0000-000000000002")]
    [InlineData("POST", "/v1/acl/login")]
    public async Task AclsOff_EveryEndpointAnswers401(string method, string path)
    {
        if (ConsulTarget.IsReal && Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN") is { Length: > 0 })
        {
            Assert.Skip("the real agent has ACLs enabled");
        }

        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(new HttpMethod(method), path, method == "GET" || method == "DELETE" ? null : "{}");
        Assert.Equal((401, "ACL support disabled"), (reply.Status, reply.Text));
    }

    [Fact]
    public async Task AclsOff_WrongMethodIs405First()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(HttpMethod.Post, "/v1/acl/tokens", "{}");
        Assert.Equal(405, reply.Status);
    }

    [Fact]
    public async Task TokenSelf_DescribesTheCallersToken()
    {
        await using var consul = await StartAsync();
        var self = await consul.GetAsync("/v1/acl/token/self", token: "web-secret");
        Assert.Equal(200, self.Status);
        Assert.Equal("11111111-2222-3333-4444-555555555555", self.Json["AccessorID"]!.GetValue<string>());
        Assert.Equal("web-secret", self.Json["SecretID"]!.GetValue<string>());
        Assert.Single(self.Json["Policies"]!.AsArray());
        Assert.False(self.Json["Local"]!.GetValue<bool>());
        Assert.NotNull(self.Json["CreateTime"]);
        Assert.NotNull(self.Json["Hash"]);

        var management = await consul.GetAsync("/v1/acl/token/self", token: Management);
        Assert.Equal("global-management", management.Json["Policies"]![0]!["Name"]!.GetValue<string>());

        var unknown = await consul.GetAsync("/v1/acl/token/self", token: "nope");
        Assert.Equal((403, "ACL not found"), (unknown.Status, unknown.Text));
    }

    [Fact]
    public async Task TokensAndPolicies_NeedAclRead_ListForManagement()
    {
        await using var consul = await StartAsync();
        var denied = await consul.GetAsync("/v1/acl/tokens", token: "web-secret");
        Assert.Equal((403, "Permission denied: token with AccessorID '11111111-2222-3333-4444-555555555555' lacks permission 'acl:read'"), (denied.Status, denied.Text));

        var tokens = await consul.GetAsync("/v1/acl/tokens", token: Management);
        Assert.Equal(200, tokens.Status);
        var accessors = tokens.Json.AsArray().Select(t => t!["AccessorID"]!.GetValue<string>()).ToList();
        Assert.Contains("00000000-0000-0000-0000-000000000002", accessors);
        Assert.Contains("11111111-2222-3333-4444-555555555555", accessors);
        Assert.Equal(3, accessors.Count);

        var policies = await consul.GetAsync("/v1/acl/policies", token: Management);
        var names = policies.Json.AsArray().Select(p => p!["Name"]!.GetValue<string>()).ToList();
        Assert.Contains("global-management", names);
        Assert.Contains("builtin/global-read-only", names);
        Assert.Equal(3, names.Count);

        var read = await consul.GetAsync("/v1/acl/token/11111111-2222-3333-4444-555555555555", token: Management);
        Assert.Equal("web-secret", read.Json["SecretID"]!.GetValue<string>());
    }

    private static Task<ConsulTarget> StartAsync()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = Management;
        var token = new ConsulTestAclToken { SecretId = "web-secret", AccessorId = "11111111-2222-3333-4444-555555555555" };
        token.Rules.Add(new ConsulTestAclRule(ConsulTestAclResource.Service, "web", ConsulTestAclAccess.Write));
        options.Acl.Tokens.Add(token);
        return ConsulTarget.StartAgentAsync(options, "configures ACL tokens");
    }
}
