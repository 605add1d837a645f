// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §12: token sources, 403 texts, silent filtering of lists.</summary>
public sealed class AclConformanceTests
{
    private const string Management = "root-secret";
    private static readonly ConsulTestAclToken WebWriter = CreateToken("web-writer-secret", "11111111-2222-3333-4444-555555555555",
        new ConsulTestAclRule(ConsulTestAclResource.Service, "web", ConsulTestAclAccess.Write),
        new ConsulTestAclRule(ConsulTestAclResource.Node, string.Empty, ConsulTestAclAccess.Read),
        new ConsulTestAclRule(ConsulTestAclResource.Key, "app/", ConsulTestAclAccess.Read));

    [Fact]
    public async Task UnknownToken_Returns403AclNotFound()
    {
        await using var consul = await StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", """{"Name":"web"}""", token: "bogus");
        Assert.Equal(403, reply.Status);
        Assert.Equal("ACL not found", reply.Text);
    }

    [Fact]
    public async Task DeniedToken_Returns403WithAccessorIdText()
    {
        await using var consul = await StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", """{"Name":"db"}""", token: WebWriter.SecretId);
        Assert.Equal(403, reply.Status);
        Assert.Equal($"Permission denied: token with AccessorID '{WebWriter.AccessorId}' lacks permission 'service:write' on \"db\"", reply.Text);
    }

    [Fact]
    public async Task Anonymous_Returns403WithAnonymousText()
    {
        await using var consul = await StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", """{"Name":"web"}""");
        Assert.Equal(403, reply.Status);
        Assert.Equal("Permission denied: anonymous token lacks permission 'service:write' on \"web\". The anonymous token is used implicitly when a request does not specify a token.", reply.Text);
    }

    [Fact]
    public async Task RuleAndManagement_Allow()
    {
        await using var consul = await StartAsync();
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/service/register", """{"Name":"web-api"}""", token: WebWriter.SecretId)).Status);
        Assert.Equal(200, (await consul.PutAsync("/v1/agent/service/register", """{"Name":"db"}""", token: Management)).Status);
    }

    [Fact]
    public async Task TokenSources_QueryHeaderAndBearer()
    {
        await using var consul = await StartAsync();
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/register?token={Management}", """{"Name":"a"}""")).Status);
        using var request = new HttpRequestMessage(HttpMethod.Put, "/v1/agent/service/register") { Content = new StringContent("""{"Name":"b"}""") };
        request.Headers.TryAddWithoutValidation("Authorization", $"bearer {Management}");
        using var response = await consul.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Lists_FilterSilently()
    {
        await using var consul = await StartAsync();
        await consul.PutAsync("/v1/agent/service/register", """{"Name":"web"}""", token: Management);
        await consul.PutAsync("/v1/agent/service/register", """{"Name":"db"}""", token: Management);
        var services = await consul.GetAsync("/v1/agent/services", token: WebWriter.SecretId);
        Assert.Equal(200, services.Status);
        Assert.Equal(["web"], services.Json.AsObject().Select(p => p.Key));
        Assert.Equal("true", services.Header("X-Consul-Results-Filtered-By-ACLs"));
        var health = await consul.GetAsync("/v1/health/service/db", token: WebWriter.SecretId);
        Assert.Equal(200, health.Status);
        Assert.Empty(health.Json.AsArray());
        var catalog = await consul.GetAsync("/v1/catalog/services", token: WebWriter.SecretId);
        Assert.False(catalog.Json.AsObject().ContainsKey("db"));
    }

    [Fact]
    public async Task Kv_ReadAndWriteRules()
    {
        await using var consul = await StartAsync();
        await consul.PutAsync("/v1/kv/app/x", "1", token: Management);
        Assert.Equal(200, (await consul.GetAsync("/v1/kv/app/x", token: WebWriter.SecretId)).Status);
        var denied = await consul.PutAsync("/v1/kv/app/x", "2", token: WebWriter.SecretId);
        Assert.Equal(403, denied.Status);
        Assert.Equal($"Permission denied: token with AccessorID '{WebWriter.AccessorId}' lacks permission 'key:write' on \"app/x\"", denied.Text);
    }

    [Fact]
    public async Task DefaultPolicyHeader_ReflectsSettings()
    {
        await using var consul = await StartAsync();
        Assert.Equal("deny", (await consul.GetAsync("/v1/status/leader")).Header("X-Consul-Default-ACL-Policy"));
    }

    private static ConsulTestAclToken CreateToken(string secret, string accessor, params ConsulTestAclRule[] rules)
    {
        var token = new ConsulTestAclToken { SecretId = secret, AccessorId = accessor };
        foreach (var rule in rules)
        {
            token.Rules.Add(rule);
        }

        return token;
    }

    private static Task<ConsulTarget> StartAsync()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = Management;
        options.Acl.Tokens.Add(WebWriter);
        return ConsulTarget.StartAgentAsync(options, "configures ACL tokens");
    }
}
