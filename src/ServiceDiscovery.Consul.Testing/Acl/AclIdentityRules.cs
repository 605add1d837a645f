// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>The checks Consul applies to the identities and templated policies of a token or role, with its texts.</summary>
internal static class AclIdentityRules
{
    /// <summary>Null when every identity is valid, else Consul's message; <paramref name="owner"/> is "token" or "role".</summary>
    public static string? Check(
        IEnumerable<AclServiceIdentity> services, IEnumerable<AclNodeIdentity> nodes, IEnumerable<AclTemplatedPolicy> templated, string owner, bool local)
    {
        foreach (var service in services)
        {
            if (service.ServiceName.Length == 0)
            {
                return $"Service identity is missing the service name field on this {owner}";
            }

            if (local && service.Datacenters.Count > 0)
            {
                return $"Service identity \"{service.ServiceName}\" cannot specify a list of datacenters on a local token";
            }

            if (!AclNames.IsValidIdentityName(service.ServiceName))
            {
                return $"Service identity \"{service.ServiceName}\" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed";
            }
        }

        foreach (var node in nodes)
        {
            if (node.NodeName.Length == 0)
            {
                return $"Node identity is missing the node name field on this {owner}";
            }

            if (node.Datacenter.Length == 0)
            {
                return $"Node identity is missing the datacenter field on this {owner}";
            }

            if (!AclNames.IsValidIdentityName(node.NodeName))
            {
                return "Node identity has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed";
            }
        }

        foreach (var policy in templated)
        {
            if (!IdentityPolicies.Templates.TryGetValue(policy.TemplateName, out var template))
            {
                return $"templated policy with name \"{policy.TemplateName}\" does not exist";
            }

            if (template.NeedsName && string.IsNullOrEmpty(policy.Name))
            {
                return $"validation error for templated policy: \"{policy.TemplateName}\": name is required";
            }
        }

        return null;
    }
}
