// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// The rules Consul synthesises for service identities, node identities and templated policies
/// (agent/structs/acltemplatedpolicy): a service identity is the <c>builtin/service</c> template, a node identity
/// the <c>builtin/node</c> template.
/// </summary>
internal static class IdentityPolicies
{
    /// <summary>The built-in templates the agent knows, by name: the rules with <c>{{name}}</c> for the variable, and whether it needs one.</summary>
    public static IReadOnlyDictionary<string, (string Template, bool NeedsName, string Description)> Templates { get; } =
        new Dictionary<string, (string, bool, string)>(StringComparer.Ordinal)
        {
            ["builtin/service"] = ("""
                service "{{name}}" {
                  policy = "write"
                }
                service "{{name}}-sidecar-proxy" {
                  policy = "write"
                }
                service_prefix "" {
                  policy = "read"
                }
                node_prefix "" {
                  policy = "read"
                }
                """, true, "Gives the token or role permissions to register a service and discover services in the Consul catalog. It also gives the specified service's sidecar proxy the permission to discover and route traffic to other services."),
            ["builtin/node"] = ("""
                node "{{name}}" {
                  policy = "write"
                }
                service_prefix "" {
                  policy = "read"
                }
                """, true, "Gives the token or role permissions for a register an agent/node into the catalog. A node is typically a consul agent but can also be a physical server, cloud instance or a container."),
            ["builtin/dns"] = ("""
                node_prefix "" {
                  policy = "read"
                }
                service_prefix "" {
                  policy = "read"
                }
                query_prefix "" {
                  policy = "read"
                }
                """, false, "Gives the token or role permissions for the Consul DNS to query services in the network."),
        };

    /// <summary>The rules of a service identity valid in <paramref name="datacenter"/>, or none when it names other datacenters.</summary>
    public static PolicyRules? For(AclServiceIdentity identity, string datacenter) =>
        identity.Datacenters.Count == 0 || identity.Datacenters.Contains(datacenter) ? Render("builtin/service", identity.ServiceName) : null;

    /// <summary>The rules of a node identity, which apply only in its own datacenter.</summary>
    public static PolicyRules? For(AclNodeIdentity identity, string datacenter) =>
        identity.Datacenter == datacenter ? Render("builtin/node", identity.NodeName) : null;

    /// <summary>The rules of a templated policy valid in <paramref name="datacenter"/>.</summary>
    public static PolicyRules? For(AclTemplatedPolicy policy, string datacenter) =>
        policy.Datacenters.Count == 0 || policy.Datacenters.Contains(datacenter) ? Render(policy.TemplateName, policy.Name) : null;

    /// <summary>The rules text of template <paramref name="templateName"/> for <paramref name="name"/>.</summary>
    public static string RenderText(string templateName, string? name) =>
        Templates[templateName].Template.Replace("{{name}}", name ?? string.Empty, StringComparison.Ordinal);

    private static PolicyRules Render(string templateName, string? name) => PolicyRulesParser.Parse(RenderText(templateName, name));
}
