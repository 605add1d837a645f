// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The ACL checks of <c>/v1/config</c> for the kinds the agent interprets (agent/structs/config_entry_*.go
/// <c>CanRead</c>/<c>CanWrite</c>): <c>service-intentions</c> needs <c>intention:read</c>/<c>intention:write</c> on the
/// destination; <c>ingress-gateway</c> and <c>terminating-gateway</c> need <c>service:read</c> on the gateway to read
/// and <c>mesh:write</c> (else <c>operator:write</c>) to write. Other kinds are stored as sent and not checked.
/// </summary>
internal static class ConfigEntryAcl
{
    /// <summary>Whether the entry may be read (a list drops it otherwise).</summary>
    public static bool CanRead(Authorizer authorizer, string kind, string name) => ReadDenied(authorizer, kind, name) is null;

    /// <summary>Checks read access to one entry; writes Consul's 403 and returns false when denied.</summary>
    public static Task<bool> RequireReadAsync(AgentRequest r, Authorizer authorizer, string kind, string name) =>
        AnswerAsync(r, ReadDenied(authorizer, kind, name));

    /// <summary>Checks write access to one entry; writes Consul's 403 and returns false when denied.</summary>
    public static Task<bool> RequireWriteAsync(AgentRequest r, Authorizer authorizer, string kind, string name) =>
        AnswerAsync(r, kind switch
        {
            IntentionConfigEntries.Kind => authorizer.Allows(AclResourceKind.Intention, name, AclAccessLevel.Write)
                ? null
                : authorizer.Denied(AclResourceKind.Intention, name, AclAccessLevel.Write),
            GatewayConfigEntries.IngressKind or GatewayConfigEntries.TerminatingKind => authorizer.Allows(AclScalarKind.Mesh, AclAccessLevel.Write)
                ? null
                : authorizer.DeniedUnnamed("mesh:write"),
            _ => null,
        });

    private static string? ReadDenied(Authorizer authorizer, string kind, string name)
    {
        var resource = kind switch
        {
            IntentionConfigEntries.Kind => AclResourceKind.Intention,
            GatewayConfigEntries.IngressKind or GatewayConfigEntries.TerminatingKind => AclResourceKind.Service,
            _ => (AclResourceKind?)null,
        };
        return resource is { } kindToCheck && !authorizer.Allows(kindToCheck, name, AclAccessLevel.Read)
            ? authorizer.Denied(kindToCheck, name, AclAccessLevel.Read)
            : null;
    }

    private static async Task<bool> AnswerAsync(AgentRequest r, string? denied)
    {
        if (denied is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 403, denied).ConfigureAwait(false);
        }

        return denied is null;
    }
}
