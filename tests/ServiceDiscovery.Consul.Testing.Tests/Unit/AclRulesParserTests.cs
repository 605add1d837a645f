// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>Consul's rule language in both syntaxes (HCL and JSON), with Consul's validation texts and line/column errors.</summary>
public sealed class AclRulesParserTests
{
    [Fact]
    public void Hcl_EveryResourceKind_IsRead()
    {
        var rules = PolicyRulesParser.Parse("""
            # a comment
            acl = "read"          // another
            agent "node1" { policy = "read" }
            agent_prefix "" { policy = "deny" }
            key "config/app" { policy = "write" }
            key_prefix "config/" { policy = "list" }
            node "n1" { policy = "write" }
            node_prefix "" { policy = "read" }
            service "web" {
              policy = "write"
              intentions = "read"
            }
            service_prefix "" { policy = "read" }
            session "n1" { policy = "write" }
            session_prefix "" { policy = "read" }
            event "deploy" { policy = "write" }
            event_prefix "" { policy = "read" }
            query "q" { policy = "write" }
            query_prefix "" { policy = "read" }
            /* block
               comment */
            keyring = "write"
            operator = "read"
            mesh = "write"
            peering = "read"
            """);

        Assert.Equal(14, rules.Named.Count());
        Assert.Contains(new NamedRule(AclResourceKind.Service, "web", false, AclAccessLevel.Write, AclAccessLevel.Read), rules.Named);
        Assert.Contains(new NamedRule(AclResourceKind.Key, "config/", true, AclAccessLevel.List), rules.Named);
        Assert.Contains(new NamedRule(AclResourceKind.Agent, "", true, AclAccessLevel.Deny), rules.Named);
        Assert.Equal(AclAccessLevel.Read, rules.Scalars[AclScalarKind.Acl]);
        Assert.Equal(AclAccessLevel.Write, rules.Scalars[AclScalarKind.Keyring]);
        Assert.Equal(AclAccessLevel.Read, rules.Scalars[AclScalarKind.Operator]);
        Assert.Equal(AclAccessLevel.Write, rules.Scalars[AclScalarKind.Mesh]);
        Assert.Equal(AclAccessLevel.Read, rules.Scalars[AclScalarKind.Peering]);
    }

    [Fact]
    public void Json_ReadsLikeHcl_IncludingListsOfBlocks()
    {
        var hcl = PolicyRulesParser.Parse("""
            key_prefix "app/" { policy = "read" }
            service "web" { policy = "write" }
            service "db" { policy = "read" }
            operator = "write"
            """);
        var json = PolicyRulesParser.Parse("""
            {
              "key_prefix": { "app/": { "policy": "read" } },
              "service": [ { "web": { "policy": "write" } }, { "db": [ { "policy": "read" } ] } ],
              "operator": "write"
            }
            """);

        Assert.Equal(hcl.Named.OrderBy(r => r.Name), json.Named.OrderBy(r => r.Name));
        Assert.Equal(hcl.Scalars, json.Scalars);
    }

    [Fact]
    public void Hcl_AssignmentForm_AndCaseInsensitiveKeys_AreAccepted()
    {
        var rules = PolicyRulesParser.Parse("""
            SERVICE = { "web" = { Policy = "WRITE" } }
            """);

        Assert.Contains(new NamedRule(AclResourceKind.Service, "web", false, AclAccessLevel.Write), rules.Named);
    }

    [Fact]
    public void Heredoc_AndEscapes_AreRead()
    {
        var document = HclReader.Read("text = <<EOF\nline one\nline \"two\"\nEOF\nname = \"a\\tb\\u00e9\"\n");

        Assert.Equal("line one\nline \"two\"\n", ((RuleScalar)document.Entries[0].Value).Text);
        Assert.Equal("a\tbé", ((RuleScalar)document.Entries[1].Value).Text);
    }

    [Theory]
    [InlineData("service \"web\" {\n  policy = \"write\"\n", "Failed to parse ACL rules: At 3:1: expected '}' before the end of the rules")]
    [InlineData("service \"web\" {\n  policy = \"write\n}", "Failed to parse ACL rules: At 2:12: string is not terminated (a '\"' is missing)")]
    [InlineData("service \"web\" {\n  policy write\n}", "Failed to parse ACL rules: At 3:1: expected '=' or '{' after \"policy\", found '}'")]
    [InlineData("operator = read", "Failed to parse ACL rules: At 1:12: expected a value, found the bare word \"read\" (quote strings: \"read\")")]
    [InlineData("/* open", "Failed to parse ACL rules: At 1:1: comment is not terminated (a '*/' is missing)")]
    [InlineData("{\n  \"service\": {\n    \"web\": { \"policy\": \"read\" \n  }\n", "Failed to parse ACL rules: At 5:1: Expected depth to be zero at the end of the JSON payload. There is an open JSON object or array that should be closed")]
    [InlineData("operator { policy = \"read\" }", "Failed to parse ACL rules: At 1:10: \"operator\" takes a level (\"read\", \"write\" or \"deny\"), not a block")]
    [InlineData("service = \"web\"", "Failed to parse ACL rules: At 1:11: \"service\" expects a name and a block, as in service \"web\" { policy = \"read\" }")]
    public void BadSyntax_NamesLineAndColumn(string rules, string message)
    {
        var error = Assert.Throws<AclRulesException>(() => PolicyRulesParser.Parse(rules));

        Assert.Equal(message, error.Message);
    }

    [Theory]
    [InlineData("service \"web\" { policy = \"nope\" }", "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"nope\", Intentions:\"\", EnterpriseRule:acl.EnterpriseRule{}}")]
    [InlineData("service_prefix \"\" { policy = \"read\" intentions = \"list\" }", "Invalid service_prefix intentions policy: &acl.ServiceRule{Name:\"\", Policy:\"read\", Intentions:\"list\", EnterpriseRule:acl.EnterpriseRule{}}")]
    [InlineData("node \"n\" { policy = \"list\" }", "Invalid node policy: &acl.NodeRule{Name:\"n\", Policy:\"list\", EnterpriseRule:acl.EnterpriseRule{}}")]
    [InlineData("agent_prefix \"x\" { }", "Invalid agent_prefix policy: &acl.AgentRule{Node:\"x\", Policy:\"\"}")]
    [InlineData("query \"q\" { policy = \"all\" }", "Invalid query policy: &acl.PreparedQueryRule{Prefix:\"q\", Policy:\"all\"}")]
    [InlineData("operator = \"list\"", "Invalid operator policy: \"list\"")]
    [InlineData("mesh = \"nope\"", "Invalid mesh policy: \"nope\"")]
    [InlineData("{ \"peering\": \"nope\" }", "Invalid peering policy: \"nope\"")]
    public void InvalidLevels_UseConsulsTexts(string rules, string message)
    {
        var error = Assert.Throws<AclRulesException>(() => PolicyRulesParser.Parse(rules));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ValidationOrder_IsConsuls_TheAclLevelBeforeNamedRulesBeforeOperator()
    {
        var error = Assert.Throws<AclRulesException>(() => PolicyRulesParser.Parse("""
            operator = "bad"
            service "web" { policy = "bad" }
            acl = "bad"
            """));

        Assert.Equal("Invalid acl policy: \"bad\"", error.Message);
    }

    [Fact]
    public void Empty_AndUnknownKeys_AreNoRules()
    {
        Assert.Empty(PolicyRulesParser.Parse(string.Empty).Named);
        Assert.Empty(PolicyRulesParser.Parse("namespace \"team\" { policy = \"write\" }\nfoo = \"bar\"").Named);
    }

    [Fact]
    public void Merge_KeepsTheLevelConsulPrefers_DenyThenWriteThenListThenRead()
    {
        var merged = PolicyRules.Merge(
        [
            PolicyRulesParser.Parse("key_prefix \"a/\" { policy = \"read\" }\nservice \"web\" { policy = \"read\" }\noperator = \"write\""),
            PolicyRulesParser.Parse("key_prefix \"a/\" { policy = \"list\" }\nservice \"web\" { policy = \"deny\" intentions = \"write\" }\noperator = \"read\""),
            PolicyRulesParser.Parse("key_prefix \"a/\" { policy = \"write\" }"),
        ]);

        Assert.Contains(new NamedRule(AclResourceKind.Key, "a/", true, AclAccessLevel.Write), merged.Named);
        Assert.Contains(new NamedRule(AclResourceKind.Service, "web", false, AclAccessLevel.Deny, AclAccessLevel.Write), merged.Named);
        Assert.Equal(AclAccessLevel.Write, merged.Scalars[AclScalarKind.Operator]);
    }
}
