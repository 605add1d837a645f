// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>How Consul's policy authorizer decides: exact rules, then the longest prefix, then the default policy.</summary>
public sealed class PolicyAuthorizerTests
{
    private static Authorizer For(string rules, bool defaultAllow = false) =>
        Authorizer.ForRules(PolicyRulesParser.Parse(rules), defaultAllow, "11111111-1111-1111-1111-111111111111", sentToken: true);

    [Fact]
    public void ExactRule_WinsOverAnyPrefix_ButOnlyForThatName()
    {
        var authorizer = For("""
            key_prefix "app/" { policy = "write" }
            key "app/secret" { policy = "deny" }
            """);

        Assert.False(authorizer.Allows(AclResourceKind.Key, "app/secret", AclAccessLevel.Read));
        Assert.True(authorizer.Allows(AclResourceKind.Key, "app/secret2", AclAccessLevel.Write));
        Assert.True(authorizer.Allows(AclResourceKind.Key, "app/other", AclAccessLevel.Write));
    }

    [Fact]
    public void LongestPrefix_Wins()
    {
        var authorizer = For("""
            service_prefix "" { policy = "read" }
            service_prefix "pay" { policy = "deny" }
            service_prefix "payments-" { policy = "write" }
            """);

        Assert.True(authorizer.Allows(AclResourceKind.Service, "catalog", AclAccessLevel.Read));
        Assert.False(authorizer.Allows(AclResourceKind.Service, "catalog", AclAccessLevel.Write));
        Assert.False(authorizer.Allows(AclResourceKind.Service, "payroll", AclAccessLevel.Read));
        Assert.True(authorizer.Allows(AclResourceKind.Service, "payments-api", AclAccessLevel.Write));
    }

    [Fact]
    public void NoMatchingRule_FallsToTheDefaultPolicy_ButAclManagementNever()
    {
        var deny = For("service \"web\" { policy = \"read\" }");
        var allow = For("service \"web\" { policy = \"read\" }", defaultAllow: true);

        Assert.False(deny.Allows(AclResourceKind.Key, "anything", AclAccessLevel.Read));
        Assert.True(allow.Allows(AclResourceKind.Key, "anything", AclAccessLevel.Write));
        Assert.False(allow.Allows(AclResourceKind.Service, "web", AclAccessLevel.Write));
        Assert.True(allow.Allows(AclScalarKind.Operator, AclAccessLevel.Write));
        Assert.False(allow.Allows(AclScalarKind.Acl, AclAccessLevel.Read));
    }

    [Fact]
    public void ListLevel_AllowsListAndRead_NotWrite()
    {
        var authorizer = For("key_prefix \"\" { policy = \"list\" }");

        Assert.True(authorizer.Allows(AclResourceKind.Key, "a", AclAccessLevel.List));
        Assert.True(authorizer.Allows(AclResourceKind.Key, "a", AclAccessLevel.Read));
        Assert.False(authorizer.Allows(AclResourceKind.Key, "a", AclAccessLevel.Write));
    }

    [Fact]
    public void ReadLevel_DoesNotAllowList()
    {
        var authorizer = For("key_prefix \"\" { policy = \"read\" }");

        Assert.False(authorizer.Allows(AclResourceKind.Key, "a", AclAccessLevel.List));
    }

    [Fact]
    public void ServiceRules_ImplyIntentionRead_UnlessIntentionsSaySo()
    {
        var authorizer = For("""
            service "web" { policy = "write" }
            service "db" { policy = "deny" }
            service "api" { policy = "read" intentions = "write" }
            """);

        Assert.True(authorizer.Allows(AclResourceKind.Intention, "web", AclAccessLevel.Read));
        Assert.False(authorizer.Allows(AclResourceKind.Intention, "web", AclAccessLevel.Write));
        Assert.False(authorizer.Allows(AclResourceKind.Intention, "db", AclAccessLevel.Read));
        Assert.True(authorizer.Allows(AclResourceKind.Intention, "api", AclAccessLevel.Write));
    }

    [Fact]
    public void KeyWritePrefix_NeedsWriteOnThePrefix_AndNoWeakerRuleUnderIt()
    {
        var authorizer = For("""
            key_prefix "app/" { policy = "write" }
            key "app/locked" { policy = "read" }
            key_prefix "other/" { policy = "write" }
            """);

        Assert.False(authorizer.AllowsKeyWritePrefix("app/"));
        Assert.True(authorizer.AllowsKeyWritePrefix("other/"));
        Assert.False(authorizer.AllowsKeyWritePrefix("missing/"));
    }

    [Fact]
    public void DeniedTexts_NameTheTokenThePermissionAndTheName()
    {
        var authorizer = For(string.Empty);
        var anonymous = Authorizer.ForRules(PolicyRules.Empty, false, Authorizer.AnonymousAccessorId, sentToken: false);

        Assert.Equal("Permission denied: token with AccessorID '11111111-1111-1111-1111-111111111111' lacks permission 'session:write' on \"node1\"",
            authorizer.Denied(AclResourceKind.Session, "node1", AclAccessLevel.Write));
        Assert.StartsWith("Permission denied: anonymous token lacks permission 'key:list' on \"a/\".", anonymous.Denied(AclResourceKind.Key, "a/", AclAccessLevel.List), StringComparison.Ordinal);
    }

    [Fact]
    public void Intentions_FollowTheServiceRules_ReadByDefault_AndTheirOwnLevelWhenSet()
    {
        var authorizer = For("""
            service "web" { policy = "read" }
            service "db" { policy = "read" intentions = "write" }
            service "secret" { policy = "deny" }
            """);

        Assert.True(authorizer.Allows(AclResourceKind.Intention, "web", AclAccessLevel.Read));
        Assert.False(authorizer.Allows(AclResourceKind.Intention, "web", AclAccessLevel.Write));
        Assert.True(authorizer.Allows(AclResourceKind.Intention, "db", AclAccessLevel.Write));
        Assert.False(authorizer.Allows(AclResourceKind.Intention, "secret", AclAccessLevel.Read));
        Assert.False(authorizer.Allows(AclResourceKind.Intention, "unnamed-by-any-rule", AclAccessLevel.Read));
    }

    [Fact]
    public void WildcardIntentions_ReadNeedsAnyRule_WriteNeedsEveryRule()
    {
        var oneReader = For("""
            service "web" { policy = "read" }
            service "db" { policy = "deny" }
            """);
        Assert.True(oneReader.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Read));
        Assert.False(oneReader.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Write));

        var allWriters = For("""
            service_prefix "" { policy = "write" intentions = "write" }
            service "db" { policy = "write" intentions = "write" }
            """);
        Assert.True(allWriters.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Write));

        var oneHoldout = For("""
            service_prefix "" { policy = "write" intentions = "write" }
            service "db" { policy = "write" intentions = "read" }
            """);
        Assert.False(oneHoldout.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Write));
        Assert.True(oneHoldout.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Read));

        // Write rules on named services only: no catch-all, so the wildcard falls to the default policy.
        var namedOnly = For("service \"db\" { policy = \"write\" intentions = \"write\" }");
        Assert.False(namedOnly.Allows(AclResourceKind.Intention, "*", AclAccessLevel.Write));
        Assert.True(For("service \"db\" { policy = \"write\" intentions = \"write\" }", defaultAllow: true).Allows(AclResourceKind.Intention, "*", AclAccessLevel.Write));
    }

    [Fact]
    public void Mesh_FallsBackToOperator_WhenTheTokenHasNoMeshRule()
    {
        Assert.True(For("operator = \"write\"").Allows(AclScalarKind.Mesh, AclAccessLevel.Write));
        Assert.False(For("operator = \"read\"").Allows(AclScalarKind.Mesh, AclAccessLevel.Write));
        Assert.False(For("operator = \"write\"\nmesh = \"read\"").Allows(AclScalarKind.Mesh, AclAccessLevel.Write));
        Assert.False(For("key_prefix \"\" { policy = \"write\" }").Allows(AclScalarKind.Mesh, AclAccessLevel.Write));
    }
}
