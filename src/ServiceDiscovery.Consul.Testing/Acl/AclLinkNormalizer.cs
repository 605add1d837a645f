// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// Turns the policy and role links of a request (by ID or by name) into stored links by ID, de-duplicated, with
/// Consul's texts for a link that points nowhere (agent/consul/auth/token_writer.go <c>normalizePolicyLinks</c>).
/// </summary>
internal static class AclLinkNormalizer
{
    public static string? Policies(AclTables tables, IEnumerable<AclLinkRequest> links, out List<AclLink> normalized) =>
        Normalize(links, "policy", id => tables.Policies.GetValueOrDefault(id)?.Id, name => tables.PolicyByName(name)?.Id, out normalized);

    public static string? Roles(AclTables tables, IEnumerable<AclLinkRequest> links, out List<AclLink> normalized) =>
        Normalize(links, "role", id => tables.Roles.GetValueOrDefault(id)?.Id, name => tables.RoleByName(name)?.Id, out normalized);

    private static string? Normalize(
        IEnumerable<AclLinkRequest> links, string kind, Func<string, string?> byId, Func<string, string?> byName, out List<AclLink> normalized)
    {
        normalized = [];
        foreach (var link in links)
        {
            var id = link.Id.Length == 0 ? byName(link.Name) : byId(link.Id);
            if (id is null)
            {
                return link.Id.Length == 0 ? $"No such ACL {kind} with name \"{link.Name}\"" : $"No such ACL {kind} with ID \"{link.Id}\"";
            }

            if (normalized.All(l => l.Id != id))
            {
                normalized.Add(new AclLink(id));
            }
        }

        return null;
    }
}
