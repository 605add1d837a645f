// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl.Rules;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// Writes and deletes policies and roles with the checks and texts of Consul's ACL endpoint
/// (agent/consul/acl_endpoint.go <c>PolicySet</c>, <c>RoleSet</c>). Runs under the store's lock; returns Consul's
/// error text, or null on success.
/// </summary>
internal sealed class AclPolicyWriter(StateStore store, AclTables tables)
{
    public string? SetPolicy(AclPolicyRequest request, out AclPolicyRecord? written)
    {
        written = null;
        if (request.Name.Length == 0)
        {
            return "Invalid Policy: no Name is set";
        }

        if (AclNames.PolicyNameError(request.Name) is { } nameError)
        {
            return nameError;
        }

        var byName = tables.PolicyByName(request.Name);
        AclPolicyRecord? existing = null;
        if (request.Id.Length > 0)
        {
            if (!AclNames.IsUuid(request.Id))
            {
                return "Policy ID invalid UUID";
            }

            existing = tables.Policies.GetValueOrDefault(request.Id);
            if (existing is null)
            {
                return $"cannot find policy {request.Id}";
            }

            if (existing.Name != request.Name && byName is not null)
            {
                return $"Invalid Policy: A policy with name \"{request.Name}\" already exists";
            }

            if (existing.Id == BuiltInPolicies.GlobalManagementId)
            {
                if (request.Datacenters is not null)
                {
                    return "Changing the Datacenters of the builtin global-management policy is not permitted";
                }

                if (request.Rules != existing.Rules)
                {
                    return "Changing the Rules for the builtin global-management policy is not permitted";
                }
            }
        }
        else if (byName is not null)
        {
            return $"Invalid Policy: A Policy with Name \"{request.Name}\" already exists";
        }

        PolicyRules parsed;
        try
        {
            parsed = PolicyRulesParser.Parse(request.Rules);
        }
        catch (AclRulesException e)
        {
            return e.Message;
        }

        var index = store.NextIndex();
        written = new AclPolicyRecord
        {
            Id = existing?.Id ?? Guid.NewGuid().ToString(), Name = request.Name, Description = request.Description, Rules = request.Rules,
            Parsed = parsed, Datacenters = request.Datacenters ?? [], CreateIndex = existing?.CreateIndex ?? index, ModifyIndex = index,
        };
        tables.Policies[written.Id] = written;
        Committed(() => tables.PoliciesIndex = index);
        return null;
    }

    public string? DeletePolicy(string id)
    {
        if (!tables.Policies.ContainsKey(id))
        {
            return null;
        }

        if (id == BuiltInPolicies.GlobalManagementId)
        {
            return "Delete operation not permitted on the builtin global-management policy";
        }

        tables.Policies.Remove(id);
        var index = store.NextIndex();
        Committed(() => tables.PoliciesIndex = index);
        return null;
    }

    public string? SetRole(AclRoleRequest request, out AclRoleRecord? written)
    {
        written = null;
        if (request.Name.Length == 0)
        {
            return "Invalid Role: no Name is set";
        }

        if (!AclNames.IsValidRoleName(request.Name))
        {
            return "Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed";
        }

        var byName = tables.RoleByName(request.Name);
        AclRoleRecord? existing = null;
        if (request.Id.Length == 0)
        {
            if (byName is not null)
            {
                return $"Invalid Role: A Role with Name \"{request.Name}\" already exists";
            }
        }
        else
        {
            if (!AclNames.IsUuid(request.Id))
            {
                return "Role ID invalid UUID";
            }

            existing = tables.Roles.GetValueOrDefault(request.Id);
            if (existing is null)
            {
                return $"cannot find role {request.Id}";
            }

            if (existing.Name != request.Name && byName is not null)
            {
                return $"Invalid Role: A role with name \"{request.Name}\" already exists";
            }
        }

        if (AclLinkNormalizer.Policies(tables, request.Policies, out var policies) is { } linkError)
        {
            return linkError;
        }

        if (AclIdentityRules.Check(request.ServiceIdentities, request.NodeIdentities, request.TemplatedPolicies, "role", local: false) is { } identityError)
        {
            return identityError;
        }

        var index = store.NextIndex();
        written = new AclRoleRecord
        {
            Id = existing?.Id ?? Guid.NewGuid().ToString(), Name = request.Name, Description = request.Description, Policies = policies,
            ServiceIdentities = request.ServiceIdentities, NodeIdentities = request.NodeIdentities.Distinct().ToList(),
            TemplatedPolicies = request.TemplatedPolicies, CreateIndex = existing?.CreateIndex ?? index, ModifyIndex = index,
        };
        tables.Roles[written.Id] = written;
        Committed(() => tables.RolesIndex = index);
        return null;
    }

    public void DeleteRole(string id)
    {
        if (tables.Roles.Remove(id))
        {
            var index = store.NextIndex();
            Committed(() => tables.RolesIndex = index);
        }
    }

    private void Committed(Action setTableIndex)
    {
        setTableIndex();
        tables.Changed();
        store.Changes.Publish();
    }
}
