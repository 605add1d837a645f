// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Whether a call from one service to another is allowed, as <c>/v1/agent/connect/authorize</c> decides it: the
/// destination's intentions in precedence order, the first whose source matches deciding (an L4 one by its action, an
/// L7 one always denying, since authorize cannot see requests); with none, <c>default_intention_policy</c> if set,
/// otherwise the ACL default policy (allow with ACLs off).
/// </summary>
internal static class IntentionDecision
{
    public const string DefaultIntentionPolicyReason = "Default intention policy";
    public const string AclDefaultReason = "Default behavior configured by ACLs";

    /// <summary>Decides a call; <paramref name="defaultIntentionPolicy"/> is empty to fall back on the ACL default.</summary>
    public static (bool Allowed, string Reason) Decide(IntentionStore intentions, string source, string destination, string defaultIntentionPolicy, bool aclDefaultAllow)
    {
        if (intentions.Decide(source, destination) is { } match)
        {
            return match.Source.IsL7
                ? (false, $"Matched L7 intention: {match}")
                : (match.Source.Action == "allow", $"Matched L4 intention: {match}");
        }

        return defaultIntentionPolicy.Length > 0
            ? (defaultIntentionPolicy == "allow", DefaultIntentionPolicyReason)
            : (aclDefaultAllow, AclDefaultReason);
    }
}
