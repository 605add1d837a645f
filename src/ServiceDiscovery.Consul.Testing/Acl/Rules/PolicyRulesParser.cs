// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.Consul.Testing.Acl.Rules;

/// <summary>
/// Turns a policy's <c>Rules</c> text, in HCL or JSON, into <see cref="PolicyRules"/> with Consul's validation and
/// error texts (acl/policy.go <c>decodeRules</c> and <c>PolicyRules.Validate</c>): a syntax error reads
/// <c>Failed to parse ACL rules: At line:column: ...</c>; a bad level reads <c>Invalid service policy: ...</c>.
/// Keys the language does not know are ignored, as HCL's decoder ignores them.
/// </summary>
internal static class PolicyRulesParser
{
    /// <summary>The named blocks, in the order Consul validates them (the first invalid one is reported).</summary>
    private static readonly (string Key, AclResourceKind Kind, bool IsPrefix, string GoType, string NameField)[] NamedBlocks =
    [
        ("agent", AclResourceKind.Agent, false, "AgentRule", "Node"),
        ("agent_prefix", AclResourceKind.Agent, true, "AgentRule", "Node"),
        ("key", AclResourceKind.Key, false, "KeyRule", "Prefix"),
        ("key_prefix", AclResourceKind.Key, true, "KeyRule", "Prefix"),
        ("node", AclResourceKind.Node, false, "NodeRule", "Name"),
        ("node_prefix", AclResourceKind.Node, true, "NodeRule", "Name"),
        ("service", AclResourceKind.Service, false, "ServiceRule", "Name"),
        ("service_prefix", AclResourceKind.Service, true, "ServiceRule", "Name"),
        ("session", AclResourceKind.Session, false, "SessionRule", "Node"),
        ("session_prefix", AclResourceKind.Session, true, "SessionRule", "Node"),
        ("event", AclResourceKind.Event, false, "EventRule", "Event"),
        ("event_prefix", AclResourceKind.Event, true, "EventRule", "Event"),
        ("query", AclResourceKind.Query, false, "PreparedQueryRule", "Prefix"),
        ("query_prefix", AclResourceKind.Query, true, "PreparedQueryRule", "Prefix"),
    ];

    private static readonly (string Key, AclScalarKind Kind)[] ScalarKeys =
    [
        ("acl", AclScalarKind.Acl), ("keyring", AclScalarKind.Keyring), ("operator", AclScalarKind.Operator),
        ("mesh", AclScalarKind.Mesh), ("peering", AclScalarKind.Peering),
    ];

    /// <summary>Parses and validates <paramref name="rules"/>; an empty text is a policy with no rules.</summary>
    /// <exception cref="AclRulesException">The rules cannot be read, or a level is not valid where it is used.</exception>
    public static PolicyRules Parse(string rules)
    {
        if (rules.Length == 0)
        {
            return PolicyRules.Empty;
        }

        RuleObject document;
        try
        {
            document = rules.TrimStart().StartsWith('{') ? JsonRuleReader.Read(rules) : HclReader.Read(rules);
        }
        catch (RuleSyntaxException e)
        {
            throw new AclRulesException($"Failed to parse ACL rules: {e.Message}");
        }

        var decoded = new List<(int Order, DecodedRule Rule)>();
        var scalars = new Dictionary<AclScalarKind, (string Text, RuleScalar Node)>();
        foreach (var entry in document.Entries)
        {
            var block = Array.FindIndex(NamedBlocks, b => string.Equals(b.Key, entry.Key, StringComparison.OrdinalIgnoreCase));
            if (block >= 0)
            {
                foreach (var rule in ReadNamed(entry))
                {
                    decoded.Add((block, rule));
                }

                continue;
            }

            var scalar = Array.FindIndex(ScalarKeys, s => string.Equals(s.Key, entry.Key, StringComparison.OrdinalIgnoreCase));
            if (scalar >= 0)
            {
                var node = entry.Value as RuleScalar
                    ?? throw Syntax(entry.Value.Position, $"\"{entry.Key}\" takes a level (\"read\", \"write\" or \"deny\"), not a block");
                scalars[ScalarKeys[scalar].Kind] = (node.Text, node);
            }
        }

        return Validate(decoded, scalars);
    }

    private static PolicyRules Validate(List<(int Order, DecodedRule Rule)> decoded, Dictionary<AclScalarKind, (string Text, RuleScalar Node)> scalars)
    {
        var result = new PolicyRules();
        if (scalars.TryGetValue(AclScalarKind.Acl, out var acl))
        {
            result.Set(AclScalarKind.Acl, ScalarLevel("acl", acl.Text));
        }

        foreach (var (order, rule) in decoded.OrderBy(d => d.Order))
        {
            var (key, kind, isPrefix, goType, nameField) = NamedBlocks[order];
            var policy = AclAccessLevels.Parse(rule.Policy);
            var listAllowed = kind == AclResourceKind.Key;
            if (policy == AclAccessLevel.Unknown || (policy == AclAccessLevel.List && !listAllowed))
            {
                throw new AclRulesException($"Invalid {key} policy: {GoValue(goType, nameField, rule)}");
            }

            var intentions = AclResourceKind.Service == kind ? AclAccessLevels.Parse(rule.Intentions) : AclAccessLevel.Unknown;
            if (rule.Intentions.Length > 0 && (intentions is AclAccessLevel.Unknown or AclAccessLevel.List))
            {
                throw new AclRulesException($"Invalid {key} intentions policy: {GoValue(goType, nameField, rule)}");
            }

            result.Add(new NamedRule(kind, rule.Name, isPrefix, policy, intentions));
        }

        foreach (var (key, kind) in ScalarKeys.Skip(1))
        {
            if (scalars.TryGetValue(kind, out var value))
            {
                result.Set(kind, ScalarLevel(key, value.Text));
            }
        }

        return result;
    }

    private static AclAccessLevel ScalarLevel(string key, string text)
    {
        if (text.Length == 0)
        {
            return AclAccessLevel.Unknown;
        }

        var level = AclAccessLevels.Parse(text);
        return level is AclAccessLevel.Unknown or AclAccessLevel.List
            ? throw new AclRulesException($"Invalid {key} policy: {GoString(text)}")
            : level;
    }

    private static IEnumerable<DecodedRule> ReadNamed(RuleEntry entry)
    {
        var bodies = entry.Value switch
        {
            RuleObject o => [o],
            RuleList l => l.Items.Select(i => i as RuleObject ?? throw Syntax(i.Position, $"\"{entry.Key}\" expects blocks of rules, one per name")).ToList(),
            _ => throw Syntax(entry.Value.Position, $"\"{entry.Key}\" expects a name and a block, as in {entry.Key} \"web\" {{ policy = \"read\" }}"),
        };

        foreach (var named in bodies.SelectMany(b => b.Entries))
        {
            var fieldSets = named.Value switch
            {
                RuleObject o => [o],
                RuleList l => l.Items.Select(i => i as RuleObject ?? throw Syntax(i.Position, $"the rule for \"{named.Key}\" must be a block")).ToList(),
                _ => throw Syntax(named.Value.Position, $"the rule for {entry.Key} \"{named.Key}\" must be a block such as {{ policy = \"read\" }}"),
            };

            foreach (var fields in fieldSets)
            {
                yield return new DecodedRule(named.Key, Field(fields, "policy"), Field(fields, "intentions"));
            }
        }
    }

    private static string Field(RuleObject fields, string name)
    {
        var value = string.Empty;
        foreach (var entry in fields.Entries.Where(e => string.Equals(e.Key, name, StringComparison.OrdinalIgnoreCase)))
        {
            value = entry.Value is RuleScalar scalar
                ? scalar.Text
                : throw Syntax(entry.Value.Position, $"\"{name}\" takes a level (\"read\", \"write\" or \"deny\"), not a block or list");
        }

        return value;
    }

    private static AclRulesException Syntax(RulePosition position, string message) =>
        new($"Failed to parse ACL rules: At {position}: {message}");

    /// <summary>The rule as Go's <c>%#v</c> prints it, which is what Consul's messages contain.</summary>
    private static string GoValue(string goType, string nameField, DecodedRule rule)
    {
        var builder = new StringBuilder("&acl.").Append(goType).Append('{').Append(nameField).Append(':').Append(GoString(rule.Name))
            .Append(", Policy:").Append(GoString(rule.Policy));
        if (goType == "ServiceRule")
        {
            builder.Append(", Intentions:").Append(GoString(rule.Intentions));
        }

        if (goType is "KeyRule" or "NodeRule" or "ServiceRule")
        {
            builder.Append(", EnterpriseRule:acl.EnterpriseRule{}");
        }

        return builder.Append('}').ToString();
    }

    private static string GoString(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }

    private sealed record DecodedRule(string Name, string Policy, string Intentions);
}

/// <summary>A policy's rules that Consul would refuse, with Consul's message.</summary>
internal sealed class AclRulesException(string message) : Exception(message);
