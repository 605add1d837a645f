// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl.Rules;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// The ACL tables of one datacenter (kept beside its <see cref="StateStore"/>; every read and write holds its lock):
/// tokens, policies, roles, auth methods and binding rules, each with its table index, and the bootstrap state.
/// The built-in policies, the anonymous token, the initial management token and the tokens of
/// <see cref="ConsulTestAgentAclOptions"/> are written once, at the index a dev server's ACL bootstrap reaches.
/// </summary>
internal sealed class AclTables
{
    /// <summary>The index of what the ACL system writes while the server starts.</summary>
    public const ulong SeedIndex = 5;

    private static readonly ConditionalWeakTable<StateStore, AclTables> Tables = new();

    private bool _seeded;

    public Dictionary<string, AclPolicyRecord> Policies { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, AclTokenRecord> Tokens { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, AclRoleRecord> Roles { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, JsonObject> AuthMethods { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, JsonObject> BindingRules { get; } = new(StringComparer.Ordinal);

    public ulong PoliciesIndex { get; set; } = SeedIndex;

    public ulong TokensIndex { get; set; } = SeedIndex;

    public ulong RolesIndex { get; set; }

    public ulong AuthMethodsIndex { get; set; }

    public ulong BindingRulesIndex { get; set; }

    /// <summary>Gets or sets the index of the bootstrap (0 while <c>PUT /v1/acl/bootstrap</c> is still allowed).</summary>
    public ulong BootstrapIndex { get; set; }

    /// <summary>Gets a number that changes with every write, so resolved tokens can be cached until then.</summary>
    public long Version { get; private set; }

    public static AclTables For(StateStore store) => Tables.GetValue(store, _ => new AclTables());

    public void Changed() => Version++;

    /// <summary>Writes the objects a server has before any request, once per datacenter. The caller holds the store's lock.</summary>
    public void EnsureSeeded(ConsulTestAgentAclOptions options, DateTimeOffset now)
    {
        if (_seeded)
        {
            return;
        }

        _seeded = true;
        AddPolicy(BuiltInPolicies.GlobalManagementId, BuiltInPolicies.GlobalManagementName, "Builtin Policy that grants unlimited access", BuiltInPolicies.GlobalManagementText);
        AddPolicy(BuiltInPolicies.GlobalReadOnlyId, BuiltInPolicies.GlobalReadOnlyName, "Builtin Policy that grants unlimited read-only access to all components", BuiltInPolicies.GlobalReadOnlyText);
        Tokens[Authorizer.AnonymousAccessorId] = new AclTokenRecord
        {
            AccessorId = Authorizer.AnonymousAccessorId, SecretId = "anonymous", Description = "Anonymous Token",
            CreateTime = now, CreateIndex = SeedIndex, ModifyIndex = SeedIndex,
        };

        if (options.ManagementToken is { Length: > 0 } management)
        {
            Tokens[DerivedId("accessor:" + management)] = new AclTokenRecord
            {
                AccessorId = DerivedId("accessor:" + management), SecretId = management, Description = "Initial Management Token",
                Policies = [new AclLink(BuiltInPolicies.GlobalManagementId)], CreateTime = now, CreateIndex = SeedIndex, ModifyIndex = SeedIndex,
            };

            // A configured initial management token bootstraps the cluster: PUT /v1/acl/bootstrap is refused from then on.
            BootstrapIndex = SeedIndex;
        }

        foreach (var token in options.Tokens)
        {
            var record = new AclTokenRecord
            {
                AccessorId = token.AccessorId, SecretId = token.SecretId, CreateTime = now, CreateIndex = SeedIndex, ModifyIndex = SeedIndex,
            };
            if (token.Rules.Count > 0 || !string.IsNullOrEmpty(token.PolicyRules))
            {
                var policyId = DerivedId("policy:" + token.AccessorId);
                var rules = RulesText(token.Rules) + (token.PolicyRules ?? string.Empty);
                AddPolicy(policyId, $"test-agent-token-{token.AccessorId}", $"Rules of the test agent's token {token.AccessorId}", rules);
                record.Policies.Add(new AclLink(policyId));
            }

            Tokens[token.AccessorId] = record;
        }

        Changed();
    }

    /// <summary>Replaces every table with a snapshot's (no seeding happens afterwards). The caller holds the store's lock.</summary>
    public void Restore(AclTablesContent content)
    {
        _seeded = true;
        Policies.Clear();
        Roles.Clear();
        Tokens.Clear();
        AuthMethods.Clear();
        BindingRules.Clear();
        foreach (var policy in content.Policies)
        {
            Policies[policy.Id] = policy;
        }

        foreach (var role in content.Roles)
        {
            Roles[role.Id] = role;
        }

        foreach (var token in content.Tokens)
        {
            Tokens[token.AccessorId] = token;
        }

        foreach (var (name, method) in content.AuthMethods)
        {
            AuthMethods[name] = method;
        }

        foreach (var (id, rule) in content.BindingRules)
        {
            BindingRules[id] = rule;
        }

        (PoliciesIndex, TokensIndex, RolesIndex) = (content.PoliciesIndex, content.TokensIndex, content.RolesIndex);
        (AuthMethodsIndex, BindingRulesIndex, BootstrapIndex) = (content.AuthMethodsIndex, content.BindingRulesIndex, content.BootstrapIndex);
        Changed();
    }

    public AclTokenRecord? TokenBySecret(string secret) => Tokens.Values.FirstOrDefault(t => t.SecretId == secret);

    public AclPolicyRecord? PolicyByName(string name) => Policies.Values.FirstOrDefault(p => p.Name == name);

    public AclRoleRecord? RoleByName(string name) => Roles.Values.FirstOrDefault(r => r.Name == name);

    /// <summary>The rules a token holds in <paramref name="datacenter"/>: its policies, its roles' policies and every identity.</summary>
    public PolicyRules RulesOf(AclTokenRecord token, string datacenter)
    {
        var sets = new List<PolicyRules>();
        var policyIds = new HashSet<string>(token.Policies.Select(p => p.Id), StringComparer.Ordinal);
        var holders = new List<AclGrantHolder> { token };
        foreach (var link in token.Roles)
        {
            if (Roles.TryGetValue(link.Id, out var role))
            {
                holders.Add(role);
                policyIds.UnionWith(role.Policies.Select(p => p.Id));
            }
        }

        foreach (var id in policyIds)
        {
            if (Policies.TryGetValue(id, out var policy) && (policy.Datacenters.Count == 0 || policy.Datacenters.Contains(datacenter)))
            {
                sets.Add(policy.Parsed);
            }
        }

        foreach (var holder in holders)
        {
            sets.AddRange(holder.ServiceIdentities.Select(i => IdentityPolicies.For(i, datacenter)).OfType<PolicyRules>());
            sets.AddRange(holder.NodeIdentities.Select(i => IdentityPolicies.For(i, datacenter)).OfType<PolicyRules>());
            sets.AddRange(holder.TemplatedPolicies.Select(i => IdentityPolicies.For(i, datacenter)).OfType<PolicyRules>());
        }

        return PolicyRules.Merge(sets);
    }

    /// <summary>A stable UUID-shaped identifier derived from <paramref name="seed"/>.</summary>
    public static string DerivedId(string seed) => new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(seed)).AsSpan(0, 16)).ToString();

    /// <summary>The rules of the options' prefix rules in Consul's language.</summary>
    public static string RulesText(IEnumerable<ConsulTestAclRule> rules)
    {
        var text = new StringBuilder();
        foreach (var rule in rules)
        {
            var level = rule.Access switch
            {
                ConsulTestAclAccess.Write => "write",
                ConsulTestAclAccess.Read => "read",
                _ => "deny",
            };
            if (rule.Resource == ConsulTestAclResource.Operator)
            {
                text.Append("operator = \"").Append(level).Append("\"\n");
                continue;
            }

            var block = rule.Resource switch
            {
                ConsulTestAclResource.Service => "service_prefix",
                ConsulTestAclResource.Key => "key_prefix",
                ConsulTestAclResource.Node => "node_prefix",
                _ => "agent_prefix",
            };
            var prefix = rule.Prefix.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
            text.Append(block).Append(" \"").Append(prefix).Append("\" {\n  policy = \"").Append(level).Append("\"\n}\n");
        }

        return text.ToString();
    }

    private void AddPolicy(string id, string name, string description, string rules) =>
        Policies[id] = new AclPolicyRecord
        {
            Id = id, Name = name, Description = description, Rules = rules, Parsed = PolicyRulesParser.Parse(rules),
            CreateIndex = SeedIndex, ModifyIndex = SeedIndex,
        };
}
