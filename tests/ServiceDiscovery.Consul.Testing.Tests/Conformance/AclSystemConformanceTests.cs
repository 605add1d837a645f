// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// Consul's ACL system (agent/acl_endpoint.go, agent/consul/acl_endpoint.go, acl/): bootstrap, tokens, policies in the
/// rule language, roles and identities, enforced on the endpoints a token calls.
/// </summary>
public sealed class AclSystemConformanceTests
{
    [Fact]
    public async Task Bootstrap_WorksOnce_ThenConsulsTextNamesTheResetIndex()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Acl.Enabled = true;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "needs an agent that was never bootstrapped");

        var first = await consul.PutAsync("/v1/acl/bootstrap");
        Assert.Equal(200, first.Status);
        var secret = first.Json["SecretID"]!.GetValue<string>();
        Assert.Equal(secret, first.Json["ID"]!.GetValue<string>());
        Assert.Equal("global-management", first.Json["Policies"]![0]!["Name"]!.GetValue<string>());

        var second = await consul.PutAsync("/v1/acl/bootstrap");
        Assert.Equal((403, $"Permission denied: ACL bootstrap no longer allowed (reset index: {first.Json["CreateIndex"]!.GetValue<ulong>()})"), (second.Status, second.Text));

        var tokens = await consul.GetAsync("/v1/acl/tokens", secret);
        Assert.Equal(200, tokens.Status);
        var anonymous = await consul.GetAsync("/v1/acl/tokens");
        Assert.Equal(403, anonymous.Status);
        Assert.StartsWith("Permission denied: anonymous token lacks permission 'acl:read'", anonymous.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_GrantsExactlyItsRules_AndAnUpdateTakesEffectAtOnce()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var prefix = consul.Name("cfg");
        var policyId = await acl.CreatePolicyAsync(consul.Name("kv-read"), $$"""key_prefix "{{prefix}}/" { policy = "read" }""");
        var (accessor, secret) = await acl.CreateTokenAsync(consul.Name("kv-read"));
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{prefix}/a", "1", acl.Management)).Status);

        Assert.Equal(200, (await consul.GetAsync($"/v1/kv/{prefix}/a", secret)).Status);
        var denied = await consul.PutAsync($"/v1/kv/{prefix}/a", "2", secret);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'key:write' on \"{prefix}/a\""), (denied.Status, denied.Text));
        Assert.Equal(403, (await consul.GetAsync($"/v1/kv/{consul.Name("other")}", secret)).Status);

        var update = new JsonObject { ["Name"] = consul.Name("kv-read"), ["Rules"] = $$"""key_prefix "{{prefix}}/" { policy = "write" }""" };
        Assert.Equal(200, (await consul.PutAsync($"/v1/acl/policy/{policyId}", update.ToJsonString(), acl.Management)).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{prefix}/a", "3", secret)).Status);

        var self = await consul.GetAsync("/v1/acl/token/self", secret);
        Assert.Equal(consul.Name("kv-read"), self.Json["Policies"]![0]!["Name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Role_WithAServiceIdentity_RegistersThatServiceOnly()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var web = consul.Name("web");
        var role = await consul.PutAsync("/v1/acl/role", new JsonObject
        {
            ["Name"] = consul.Name("web-role"),
            ["ServiceIdentities"] = new JsonArray(new JsonObject { ["ServiceName"] = web }),
        }.ToJsonString(), acl.Management);
        Assert.True(role.Status == 200, role.Text);
        acl.DeleteAfterwards($"/v1/acl/role/{role.Json["ID"]!.GetValue<string>()}");
        var (_, secret) = await acl.CreateTokenAsync(new JsonObject { ["Roles"] = new JsonArray(new JsonObject { ["Name"] = consul.Name("web-role") }) });

        var registered = await consul.PutAsync("/v1/agent/service/register", $$"""{"Name":"{{web}}","Port":8080}""", secret);
        Assert.Equal(200, registered.Status);
        acl.DeleteAfterwards($"/v1/agent/service/deregister/{web}");
        var other = await consul.PutAsync("/v1/agent/service/register", $$"""{"Name":"{{consul.Name("db")}}","Port":8080}""", secret);
        Assert.Equal(403, other.Status);
        Assert.Contains("lacks permission 'service:write'", other.Text, StringComparison.Ordinal);
        Assert.Equal(200, (await consul.GetAsync($"/v1/health/service/{web}", secret)).Status);
    }

    [Fact]
    public async Task Tokens_Clone_Delete_AndTheChecksConsulMakes()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        await acl.CreatePolicyAsync(consul.Name("p"), """operator = "read" """);
        var (accessor, secret) = await acl.CreateTokenAsync(new JsonObject
        {
            ["Description"] = "original",
            ["Policies"] = new JsonArray(new JsonObject { ["Name"] = consul.Name("p") }),
        });

        var clone = await consul.PutAsync($"/v1/acl/token/{accessor}/clone", """{"Description":"copy"}""", acl.Management);
        Assert.Equal(200, clone.Status);
        acl.DeleteAfterwards($"/v1/acl/token/{clone.Json["AccessorID"]!.GetValue<string>()}");
        Assert.Equal("copy", clone.Json["Description"]!.GetValue<string>());
        Assert.NotEqual(secret, clone.Json["SecretID"]!.GetValue<string>());
        Assert.Equal(consul.Name("p"), clone.Json["Policies"]![0]!["Name"]!.GetValue<string>());

        Assert.Equal((500, "No such ACL policy with name \"missing-policy\""),
            Pair(await consul.PutAsync("/v1/acl/token", """{"Policies":[{"Name":"missing-policy"}]}""", acl.Management)));
        Assert.Equal((500, "Invalid Token: AccessorID - not a valid UUID"),
            Pair(await consul.PutAsync("/v1/acl/token", """{"AccessorID":"not-a-uuid"}""", acl.Management)));
        Assert.Equal((500, "Invalid Token: AccessorID - UUIDs with the prefix \"00000000-0000-0000-0000-0000000000\" are reserved"),
            Pair(await consul.PutAsync("/v1/acl/token", """{"AccessorID":"00000000-0000-0000-0000-000000000042"}""", acl.Management)));
        Assert.Equal((500, "Changing a token's SecretID is not permitted"),
            Pair(await consul.PutAsync($"/v1/acl/token/{accessor}", """{"SecretID":"3f0d6a5c-1a2b-4c3d-8e9f-0a1b2c3d4e5f"}""", acl.Management)));
        Assert.Equal((400, "Token decoding failed: json: unknown field \"Bogus\""),
            Pair(await consul.PutAsync("/v1/acl/token", """{"Bogus":1}""", acl.Management)));
        Assert.Equal((500, "Delete operation not permitted on the anonymous token"),
            Pair(await consul.DeleteAsync("/v1/acl/token/00000000-0000-0000-0000-000000000002", acl.Management)));

        Assert.Equal(200, (await consul.DeleteAsync($"/v1/acl/token/{accessor}", acl.Management)).Status);
        Assert.Equal((403, "ACL not found"), Pair(await consul.GetAsync("/v1/agent/self", secret)));
        Assert.Equal((403, "ACL not found"), Pair(await consul.GetAsync($"/v1/acl/token/{accessor}", acl.Management)));
    }

    [Fact]
    public async Task Policies_AreValidated_AndTheBuiltInOneIsProtected()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;

        var bad = await consul.PutAsync("/v1/acl/policy", new JsonObject { ["Name"] = consul.Name("bad"), ["Rules"] = "service \"web\" {\n  policy = \"write\"\n" }.ToJsonString(), acl.Management);
        Assert.Equal(500, bad.Status);
        Assert.StartsWith("Failed to parse ACL rules: At 3:1:", bad.Text, StringComparison.Ordinal);
        Assert.Equal((500, "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"admin\", Intentions:\"\", EnterpriseRule:acl.EnterpriseRule{}}"),
            Pair(await consul.PutAsync("/v1/acl/policy", new JsonObject { ["Name"] = consul.Name("bad2"), ["Rules"] = "service \"web\" { policy = \"admin\" }" }.ToJsonString(), acl.Management)));
        Assert.Equal((500, "Invalid Policy: invalid Name. Only alphanumeric characters, a single '/', '-' and '_' are allowed"),
            Pair(await consul.PutAsync("/v1/acl/policy", """{"Name":"has space"}""", acl.Management)));

        await acl.CreatePolicyAsync(consul.Name("dup"), string.Empty);
        Assert.Equal((500, $"Invalid Policy: A Policy with Name \"{consul.Name("dup")}\" already exists"),
            Pair(await consul.PutAsync("/v1/acl/policy", new JsonObject { ["Name"] = consul.Name("dup") }.ToJsonString(), acl.Management)));

        var management = await consul.GetAsync("/v1/acl/policy/00000000-0000-0000-0000-000000000001", acl.Management);
        Assert.Equal("global-management", management.Json["Name"]!.GetValue<string>());
        Assert.Equal((500, "Changing the Rules for the builtin global-management policy is not permitted"),
            Pair(await consul.PutAsync("/v1/acl/policy/00000000-0000-0000-0000-000000000001", """{"Name":"global-management","Rules":"operator = \"read\""}""", acl.Management)));
        Assert.Equal((500, "Delete operation not permitted on the builtin global-management policy"),
            Pair(await consul.DeleteAsync("/v1/acl/policy/00000000-0000-0000-0000-000000000001", acl.Management)));
        Assert.Equal((403, "ACL not found"), Pair(await consul.GetAsync("/v1/acl/policy/name/no-such-policy", acl.Management)));
    }

    [Fact]
    public async Task AclRead_ListsTokens_WithSecretsHidden()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        await acl.CreatePolicyAsync(consul.Name("acl-read"), """acl = "read" """);
        var (accessor, secret) = await acl.CreateTokenAsync(consul.Name("acl-read"));

        var list = await consul.GetAsync("/v1/acl/tokens", secret);
        Assert.Equal(200, list.Status);
        var mine = list.Json.AsArray().Single(t => t!["AccessorID"]!.GetValue<string>() == accessor)!;
        Assert.Equal("<hidden>", mine["SecretID"]!.GetValue<string>());
        Assert.Equal(403, (await consul.PutAsync("/v1/acl/token", "{}", secret)).Status);
    }

    [Fact]
    public async Task AnonymousToken_ItsPoliciesApplyToRequestsWithoutAToken()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        consul.RequireAgent("changes the cluster's anonymous token");
        await acl.CreatePolicyAsync("anon-read", """service_prefix "" { policy = "read" } node_prefix "" { policy = "read" }""");
        Assert.Null((await consul.GetAsync("/v1/catalog/services")).Json["consul"]);

        var update = await consul.PutAsync("/v1/acl/token/00000000-0000-0000-0000-000000000002", """{"Policies":[{"Name":"anon-read"}]}""", acl.Management);
        Assert.Equal(200, update.Status);

        Assert.NotNull((await consul.GetAsync("/v1/catalog/services")).Json["consul"]);
        Assert.Equal(403, (await consul.PutAsync("/v1/kv/x", "1")).Status);
    }

    [Fact]
    public async Task ExpiringToken_IsNotFoundOnceExpired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-07T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new ConsulTestAgentOptions { NodeName = "node1", TimeProvider = time };
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = AclSystemTarget.AgentManagementToken;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "moves the agent's clock");

        Assert.Equal((500, "ExpirationTime cannot be less than 1m0s in the future (was 30s)"),
            Pair(await consul.PutAsync("/v1/acl/token", """{"ExpirationTTL":"30s"}""", AclSystemTarget.AgentManagementToken)));
        Assert.Equal((500, "ExpirationTime cannot be less than 1m0s in the future (was 59.999999999s)"),
            Pair(await consul.PutAsync("/v1/acl/token", """{"ExpirationTTL":"59.999999999s"}""", AclSystemTarget.AgentManagementToken)));
        Assert.Equal((500, "Token Expiration TTL '-1ns' should be > 0"),
            Pair(await consul.PutAsync("/v1/acl/token", """{"ExpirationTTL":-1}""", AclSystemTarget.AgentManagementToken)));
        var token = await consul.PutAsync("/v1/acl/token", """{"ExpirationTTL":"5m"}""", AclSystemTarget.AgentManagementToken);
        Assert.Equal("2026-12-07T00:05:00Z", token.Json["ExpirationTime"]!.GetValue<string>());
        var secret = token.Json["SecretID"]!.GetValue<string>();
        Assert.Equal(200, (await consul.GetAsync("/v1/acl/token/self", secret)).Status);

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal((403, "ACL not found"), Pair(await consul.GetAsync("/v1/acl/token/self", secret)));
    }

    [Fact]
    public async Task AuthMethodsAndBindingRules_AreStored_AndLinked()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var name = consul.Name("jwt");
        var method = await consul.PutAsync("/v1/acl/auth-method", new JsonObject
        {
            ["Name"] = name, ["Type"] = "jwt", ["Config"] = new JsonObject { ["JWTValidationPubKeys"] = new JsonArray("key") },
        }.ToJsonString(), acl.Management);
        Assert.True(method.Status == 200, method.Text);
        acl.DeleteAfterwards($"/v1/acl/auth-method/{name}");

        var rule = await consul.PutAsync("/v1/acl/binding-rule", new JsonObject { ["AuthMethod"] = name, ["BindType"] = "service", ["BindName"] = "web" }.ToJsonString(), acl.Management);
        Assert.True(rule.Status == 200, rule.Text);
        Assert.Equal((500, "Invalid Binding Rule: unknown BindType \"nope\""),
            Pair(await consul.PutAsync("/v1/acl/binding-rule", new JsonObject { ["AuthMethod"] = name, ["BindType"] = "nope", ["BindName"] = "x" }.ToJsonString(), acl.Management)));

        var list = await consul.GetAsync("/v1/acl/auth-methods", acl.Management);
        var stub = list.Json.AsArray().Single(m => m!["Name"]!.GetValue<string>() == name)!;
        Assert.Null(stub["Config"]);
        var rules = await consul.GetAsync($"/v1/acl/binding-rules?authmethod={name}", acl.Management);
        Assert.Single(rules.Json.AsArray());

        Assert.Equal(200, (await consul.DeleteAsync($"/v1/acl/auth-method/{name}", acl.Management)).Status);
        Assert.Empty((await consul.GetAsync($"/v1/acl/binding-rules?authmethod={name}", acl.Management)).Json.AsArray());
    }

    [Fact]
    public async Task TemplatedPolicies_ListAndPreview()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;

        var list = await consul.GetAsync("/v1/acl/templated-policies", acl.Management);
        Assert.Equal(200, list.Status);
        Assert.NotNull(list.Json["builtin/service"]);
        var preview = await consul.SendAsync(HttpMethod.Post, "/v1/acl/templated-policy/preview/builtin/service", """{"Name":"api"}""", acl.Management);
        Assert.True(preview.Status == 200, preview.Text);
        Assert.Contains("service \"api\"", preview.Json["Rules"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_Events_AndPreparedQueries_NeedTheirRules()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var node = (await consul.GetAsync("/v1/agent/self", acl.Management)).Json["Config"]!["NodeName"]!.GetValue<string>();
        var prefix = consul.Name("ops");
        await acl.CreatePolicyAsync(prefix, $$"""
            session "{{node}}" { policy = "write" }
            event_prefix "{{prefix}}" { policy = "write" }
            query_prefix "{{prefix}}" { policy = "write" }
            """);
        var (accessor, secret) = await acl.CreateTokenAsync(prefix);

        var session = await consul.PutAsync("/v1/session/create", "{}", secret);
        Assert.True(session.Status == 200, session.Text);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'session:write' on \"elsewhere\""),
            Pair(await consul.PutAsync("/v1/session/create", """{"Node":"elsewhere"}""", secret)));

        Assert.Equal(200, (await consul.PutAsync($"/v1/event/fire/{prefix}-deploy", null, secret)).Status);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'event:write' on \"deploy\""),
            Pair(await consul.PutAsync("/v1/event/fire/deploy", null, secret)));

        var query = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{prefix}}}-q","Service":{"Service":"web"}}""", secret);
        Assert.True(query.Status == 200, query.Text);
        acl.DeleteAfterwards($"/v1/query/{query.Json["ID"]!.GetValue<string>()}");
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'query:write' on \"other-q\""),
            Pair(await consul.SendAsync(HttpMethod.Post, "/v1/query", """{"Name":"other-q","Service":{"Service":"web"}}""", secret)));
        Assert.Equal(200, (await consul.PutAsync($"/v1/session/destroy/{session.Json["ID"]!.GetValue<string>()}", null, secret)).Status);
    }

    [Fact]
    public async Task OptionTokens_TakeRulesInTheRuleLanguage_AndBadRulesFailTheStart()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Acl.Enabled = true;
        options.Acl.Tokens.Add(new ConsulTestAclToken { SecretId = "app-secret", PolicyRules = "key_prefix \"app/\" {\n  policy = \"write\"\n}\n" });
        await using (var consul = await ConsulTarget.StartAgentAsync(options, "configures tokens"))
        {
            Assert.Equal(200, (await consul.PutAsync("/v1/kv/app/x", "1", "app-secret")).Status);
            Assert.Equal(403, (await consul.PutAsync("/v1/kv/other", "1", "app-secret")).Status);
        }

        var bad = new ConsulTestAgentOptions { NodeName = "node1" };
        bad.Acl.Enabled = true;
        bad.Acl.Tokens.Add(new ConsulTestAclToken { SecretId = "app-secret", PolicyRules = "key_prefix \"app/\" {\n  policy = \"write\"\n" });
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => ConsulTestAgent.StartAsync(bad, TestContext.Current.CancellationToken));
        Assert.Equal("ConsulTestAgentOptions.Acl.Tokens[0].PolicyRules: Failed to parse ACL rules: At 3:1: expected '}' before the end of the rules", Assert.Single(error.Failures));
    }

    private static (int, string) Pair(Reply reply) => (reply.Status, reply.Text);
}
