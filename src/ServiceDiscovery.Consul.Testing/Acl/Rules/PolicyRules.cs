// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl.Rules;

/// <summary>
/// One named rule: <c>service_prefix "web" { policy = "write" intentions = "read" }</c> is
/// (<see cref="AclResourceKind.Service"/>, <c>"web"</c>, prefix, write, read).
/// </summary>
internal sealed record NamedRule(AclResourceKind Kind, string Name, bool IsPrefix, AclAccessLevel Policy, AclAccessLevel Intentions = AclAccessLevel.Unknown);

/// <summary>
/// The rules of one or more policies (acl/policy.go <c>PolicyRules</c>). Merging keeps, for each resource and name,
/// the level Consul's <c>takesPrecedenceOver</c> prefers, so a token's policies combine as they do in Consul.
/// </summary>
internal sealed class PolicyRules
{
    private readonly Dictionary<(AclResourceKind Kind, bool IsPrefix, string Name), NamedRule> _named = [];
    private readonly Dictionary<AclScalarKind, AclAccessLevel> _scalars = [];

    /// <summary>Gets no rules at all: every decision falls through to the default policy.</summary>
    public static PolicyRules Empty { get; } = new();

    public IEnumerable<NamedRule> Named => _named.Values;

    public IReadOnlyDictionary<AclScalarKind, AclAccessLevel> Scalars => _scalars;

    /// <summary>Combines several policies' rules (acl/policy_merger.go).</summary>
    public static PolicyRules Merge(IEnumerable<PolicyRules> policies)
    {
        var merged = new PolicyRules();
        foreach (var policy in policies)
        {
            foreach (var rule in policy.Named)
            {
                merged.Add(rule);
            }

            foreach (var (kind, level) in policy.Scalars)
            {
                merged.Set(kind, level);
            }
        }

        return merged;
    }

    public void Add(NamedRule rule)
    {
        var key = (rule.Kind, rule.IsPrefix, rule.Name);
        if (!_named.TryGetValue(key, out var existing))
        {
            _named[key] = rule;
            return;
        }

        // Service rules merge their policy and their intentions level separately, as Consul's merger does.
        _named[key] = existing with
        {
            Policy = rule.Policy.TakesPrecedenceOver(existing.Policy) ? rule.Policy : existing.Policy,
            Intentions = rule.Intentions.TakesPrecedenceOver(existing.Intentions) ? rule.Intentions : existing.Intentions,
        };
    }

    public void Set(AclScalarKind kind, AclAccessLevel level)
    {
        if (level.TakesPrecedenceOver(_scalars.GetValueOrDefault(kind)))
        {
            _scalars[kind] = level;
        }
    }
}
