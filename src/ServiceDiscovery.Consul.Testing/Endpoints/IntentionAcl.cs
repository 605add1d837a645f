// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// Who may see and change an intention (agent/structs/intention.go <c>CanRead</c>/<c>CanWrite</c>): the
/// <c>intentions</c> level of the token's <c>service</c>/<c>service_prefix</c> rules. Reading needs it on either end;
/// writing needs <c>write</c> on the destination. These refusals are Consul's bare <c>acl.ErrPermissionDenied</c>.
/// </summary>
internal static class IntentionAcl
{
    /// <summary>The body of the 403 the intention RPCs answer when <see cref="CanRead"/> or <see cref="CanWrite"/> fails.</summary>
    public const string PermissionDenied = Authorizer.PermissionDenied;

    /// <summary>Read access on either end of the intention allows reading all of it.</summary>
    public static bool CanRead(Authorizer authorizer, Intention intention) =>
        (intention.SourceName.Length > 0 && authorizer.Allows(AclResourceKind.Intention, intention.SourceName, AclAccessLevel.Read))
        || (intention.DestinationName.Length > 0 && authorizer.Allows(AclResourceKind.Intention, intention.DestinationName, AclAccessLevel.Read));

    /// <summary>
    /// <c>intentions = "write"</c> on the destination. An intention without a destination can never be written, not
    /// even with ACLs off (Consul checks the name inside the ACL check).
    /// </summary>
    public static bool CanWrite(Authorizer authorizer, string destination) =>
        destination.Length > 0 && authorizer.Allows(AclResourceKind.Intention, destination, AclAccessLevel.Write);

    /// <summary>Writes the 403 <c>Permission denied</c> when <paramref name="allowed"/> is false; returns <paramref name="allowed"/>.</summary>
    public static async Task<bool> RequireAsync(AgentRequest r, bool allowed)
    {
        if (!allowed)
        {
            await Responses.WriteErrorAsync(r.Context, 403, PermissionDenied).ConfigureAwait(false);
        }

        return allowed;
    }
}
