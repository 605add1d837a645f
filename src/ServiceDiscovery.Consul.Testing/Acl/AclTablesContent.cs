// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>Everything <see cref="AclTables"/> holds, as a snapshot restores it.</summary>
internal sealed record AclTablesContent(
    IReadOnlyList<AclPolicyRecord> Policies,
    IReadOnlyList<AclRoleRecord> Roles,
    IReadOnlyList<AclTokenRecord> Tokens,
    IReadOnlyDictionary<string, JsonObject> AuthMethods,
    IReadOnlyDictionary<string, JsonObject> BindingRules,
    ulong PoliciesIndex,
    ulong TokensIndex,
    ulong RolesIndex,
    ulong AuthMethodsIndex,
    ulong BindingRulesIndex,
    ulong BootstrapIndex);
