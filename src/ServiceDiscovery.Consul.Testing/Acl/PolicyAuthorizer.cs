// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// The decisions one set of merged rules makes (acl/policy_authorizer.go): for a name, an exact rule for that very
/// name wins; otherwise the longest prefix rule that matches; no matching rule leaves the decision to the next
/// authorizer (the default policy), which <see langword="null"/> stands for.
/// </summary>
internal sealed class PolicyAuthorizer
{
    private readonly Dictionary<AclResourceKind, Dictionary<string, AclAccessLevel>> _exact = [];
    private readonly Dictionary<AclResourceKind, List<(string Prefix, AclAccessLevel Level)>> _prefixes = [];
    private readonly IReadOnlyDictionary<AclScalarKind, AclAccessLevel> _scalars;

    public PolicyAuthorizer(PolicyRules rules)
    {
        foreach (var rule in rules.Named)
        {
            Insert(rule.Kind, rule.Name, rule.IsPrefix, rule.Policy);
            if (rule.Kind == AclResourceKind.Service)
            {
                // A service rule without an intentions level grants intention read with read or write, else deny.
                var intentions = rule.Intentions != AclAccessLevel.Unknown ? rule.Intentions
                    : rule.Policy is AclAccessLevel.Read or AclAccessLevel.Write ? AclAccessLevel.Read : AclAccessLevel.Deny;
                Insert(AclResourceKind.Intention, rule.Name, rule.IsPrefix, intentions);
            }
        }

        foreach (var prefixes in _prefixes.Values)
        {
            prefixes.Sort((a, b) => b.Prefix.Length.CompareTo(a.Prefix.Length));
        }

        _scalars = rules.Scalars;
    }

    /// <summary>The rule's decision for <paramref name="name"/>, or <see langword="null"/> when no rule matches.</summary>
    /// <remarks>
    /// Intentions on the wildcard destination <c>*</c> are decided over every intention rule (acl/policy_authorizer.go
    /// <c>IntentionRead</c>/<c>IntentionWrite</c>): reading needs any rule that grants it, writing needs all of them to.
    /// </remarks>
    public bool? Decide(AclResourceKind kind, string name, AclAccessLevel required) =>
        kind == AclResourceKind.Intention && name == "*"
            ? (required == AclAccessLevel.Write ? AllIntentionRulesGrant(required) : AnyIntentionRuleGrants(required))
            : Level(kind, name) is { } level ? level.Grants(required) : null;

    /// <summary>
    /// The decision of a nameless resource (<c>operator</c>, <c>acl</c>, ...), or <see langword="null"/> when not set.
    /// <c>mesh</c> and <c>peering</c> fall back to <c>operator</c> when the token has no rule of their own.
    /// </summary>
    public bool? Decide(AclScalarKind kind, AclAccessLevel required) =>
        _scalars.TryGetValue(kind, out var level) && level != AclAccessLevel.Unknown ? level.Grants(required)
        : kind is AclScalarKind.Mesh or AclScalarKind.Peering ? Decide(AclScalarKind.Operator, required)
        : null;

    /// <summary>
    /// Whether everything under <paramref name="prefix"/> may be written (acl/policy_authorizer.go <c>KeyWritePrefix</c>,
    /// used by recursive deletes): the applicable prefix rule must grant write and no rule under the prefix may deny it.
    /// </summary>
    public bool? DecideKeyWritePrefix(string prefix)
    {
        bool? baseDecision = null;
        if (_prefixes.TryGetValue(AclResourceKind.Key, out var prefixes)
            && prefixes.FirstOrDefault(p => prefix.StartsWith(p.Prefix, StringComparison.Ordinal)) is { Prefix: not null } applicable)
        {
            if (applicable.Level != AclAccessLevel.Write)
            {
                return false;
            }

            baseDecision = true;
        }

        var under = (_prefixes.GetValueOrDefault(AclResourceKind.Key) ?? []).Where(p => p.Prefix.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.Level)
            .Concat((_exact.GetValueOrDefault(AclResourceKind.Key) ?? []).Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Value));
        return under.Any(level => level != AclAccessLevel.Write) ? false : baseDecision;
    }

    /// <summary>
    /// anyAllowed: granted when the catch-all prefix rule (<c>service_prefix ""</c>) or any other rule grants it;
    /// denied when only a catch-all rule exists and it does not; otherwise no decision.
    /// </summary>
    private bool? AnyIntentionRuleGrants(AclAccessLevel required)
    {
        var rules = IntentionRules().ToList();
        if (rules.Any(r => r.Level.Grants(required)))
        {
            return true;
        }

        return rules.Any(r => r.IsCatchAll) ? false : null;
    }

    /// <summary>allAllowed: denied when any rule does not grant it; granted when a catch-all prefix rule exists; otherwise no decision.</summary>
    private bool? AllIntentionRulesGrant(AclAccessLevel required)
    {
        var rules = IntentionRules().ToList();
        if (rules.Any(r => !r.Level.Grants(required)))
        {
            return false;
        }

        return rules.Any(r => r.IsCatchAll) ? true : null;
    }

    private IEnumerable<(AclAccessLevel Level, bool IsCatchAll)> IntentionRules() =>
        (_prefixes.GetValueOrDefault(AclResourceKind.Intention) ?? []).Select(p => (p.Level, p.Prefix.Length == 0))
            .Concat((_exact.GetValueOrDefault(AclResourceKind.Intention) ?? []).Select(e => (e.Value, false)));

    private AclAccessLevel? Level(AclResourceKind kind, string name)
    {
        if (_exact.TryGetValue(kind, out var exact) && exact.TryGetValue(name, out var level))
        {
            return level;
        }

        if (_prefixes.TryGetValue(kind, out var prefixes))
        {
            foreach (var (prefix, prefixLevel) in prefixes)
            {
                if (name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return prefixLevel;
                }
            }
        }

        return null;
    }

    private void Insert(AclResourceKind kind, string name, bool isPrefix, AclAccessLevel level)
    {
        if (isPrefix)
        {
            if (!_prefixes.TryGetValue(kind, out var list))
            {
                _prefixes[kind] = list = [];
            }

            list.Add((name, level));
        }
        else
        {
            if (!_exact.TryGetValue(kind, out var map))
            {
                _exact[kind] = map = new(StringComparer.Ordinal);
            }

            map[name] = level;
        }
    }
}
