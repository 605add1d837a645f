// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// An access level of Consul's rule language, ordered as Consul's <c>enforce</c> reads them: <c>write</c> grants list
/// and read, <c>list</c> (keys only) grants read, <c>deny</c> grants nothing and stops the search.
/// </summary>
internal enum AclAccessLevel
{
    /// <summary>No level set (an empty <c>intentions</c>, an absent <c>operator</c>).</summary>
    Unknown,

    /// <summary><c>deny</c>.</summary>
    Deny,

    /// <summary><c>read</c>.</summary>
    Read,

    /// <summary><c>list</c>: lists keys under a prefix without reading their values.</summary>
    List,

    /// <summary><c>write</c>.</summary>
    Write,
}

/// <summary>Conversions and Consul's merge order for <see cref="AclAccessLevel"/>.</summary>
internal static class AclAccessLevels
{
    /// <summary>Parses a level as Consul does (case-insensitively); an empty or unknown text is <see cref="AclAccessLevel.Unknown"/>.</summary>
    public static AclAccessLevel Parse(string text) => text.ToLowerInvariant() switch
    {
        "deny" => AclAccessLevel.Deny,
        "read" => AclAccessLevel.Read,
        "list" => AclAccessLevel.List,
        "write" => AclAccessLevel.Write,
        _ => AclAccessLevel.Unknown,
    };

    public static string Text(this AclAccessLevel level) => level switch
    {
        AclAccessLevel.Deny => "deny",
        AclAccessLevel.Read => "read",
        AclAccessLevel.List => "list",
        AclAccessLevel.Write => "write",
        _ => string.Empty,
    };

    /// <summary>
    /// Whether <paramref name="candidate"/> replaces <paramref name="current"/> when two policies of one token name the
    /// same resource (acl/policy.go <c>takesPrecedenceOver</c>): deny, then write, then list, then read.
    /// </summary>
    public static bool TakesPrecedenceOver(this AclAccessLevel candidate, AclAccessLevel current) =>
        candidate != AclAccessLevel.Unknown && (current == AclAccessLevel.Unknown || Rank(candidate) > Rank(current));

    /// <summary>Whether a rule at <paramref name="granted"/> allows <paramref name="required"/> (acl/policy_authorizer.go <c>enforce</c>).</summary>
    public static bool Grants(this AclAccessLevel granted, AclAccessLevel required) => granted switch
    {
        AclAccessLevel.Write => true,
        AclAccessLevel.List => required is AclAccessLevel.List or AclAccessLevel.Read,
        AclAccessLevel.Read => required == AclAccessLevel.Read,
        _ => false,
    };

    private static int Rank(AclAccessLevel level) => level switch
    {
        AclAccessLevel.Deny => 4,
        AclAccessLevel.Write => 3,
        AclAccessLevel.List => 2,
        AclAccessLevel.Read => 1,
        _ => 0,
    };
}
