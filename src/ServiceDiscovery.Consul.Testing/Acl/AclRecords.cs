// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>A link from a token or role to a policy or role, stored by ID; the name is looked up when read, as Consul does.</summary>
internal sealed record AclLink(string Id);

/// <summary>A service identity (<c>ServiceIdentities</c>): the rules a service needs to register and be discovered.</summary>
internal sealed record AclServiceIdentity(string ServiceName, IReadOnlyList<string> Datacenters);

/// <summary>A node identity (<c>NodeIdentities</c>): the rules an agent's node needs, in one datacenter.</summary>
internal sealed record AclNodeIdentity(string NodeName, string Datacenter);

/// <summary>A templated policy (<c>TemplatedPolicies</c>): a built-in template and its variables.</summary>
internal sealed record AclTemplatedPolicy(string TemplateName, string? Name, IReadOnlyList<string> Datacenters);

/// <summary>A policy of the ACL tables.</summary>
internal sealed class AclPolicyRecord
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public string Description { get; set; } = string.Empty;

    public required string Rules { get; set; }

    public required PolicyRules Parsed { get; set; }

    public List<string> Datacenters { get; set; } = [];

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; set; }
}

/// <summary>What a token and a role both hold: policy links, role links (tokens only) and identities.</summary>
internal abstract class AclGrantHolder
{
    public List<AclLink> Policies { get; set; } = [];

    public List<AclServiceIdentity> ServiceIdentities { get; set; } = [];

    public List<AclNodeIdentity> NodeIdentities { get; set; } = [];

    public List<AclTemplatedPolicy> TemplatedPolicies { get; set; } = [];
}

/// <summary>A role: a named bundle of policies and identities that tokens link to.</summary>
internal sealed class AclRoleRecord : AclGrantHolder
{
    public required string Id { get; init; }

    public required string Name { get; set; }

    public string Description { get; set; } = string.Empty;

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; set; }
}

/// <summary>A token. Its secret is what clients send; its accessor is what messages and management APIs name.</summary>
internal sealed class AclTokenRecord : AclGrantHolder
{
    public required string AccessorId { get; init; }

    public required string SecretId { get; init; }

    public string Description { get; set; } = string.Empty;

    public List<AclLink> Roles { get; set; } = [];

    public bool Local { get; init; }

    public string AuthMethod { get; init; } = string.Empty;

    public DateTimeOffset? ExpirationTime { get; init; }

    public required DateTimeOffset CreateTime { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; set; }

    public bool IsExpired(DateTimeOffset now) => ExpirationTime is { } expiry && expiry <= now;

    /// <inheritdoc/>
    public override string ToString() => $"AclTokenRecord {{ AccessorId = {AccessorId} }}";
}
