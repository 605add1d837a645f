// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>The name and ID rules of Consul's ACL objects (acl/validation.go, agent/structs/acl.go).</summary>
internal static partial class AclNames
{
    /// <summary>IDs with this prefix belong to built-in objects and cannot be chosen.</summary>
    public const string ReservedPrefix = "00000000-0000-0000-0000-0000000000";

    public static bool IsValidIdentityName(string name) => name.Length is >= 1 and <= 256 && IdentityName().IsMatch(name);

    public static bool IsValidRoleName(string name) => RoleName().IsMatch(name);

    /// <summary>acl/validation.go <c>ValidatePolicyName</c>: null when valid, else Consul's message.</summary>
    public static string? PolicyNameError(string name)
    {
        if (name.Length is < 1 or > 128)
        {
            return "Invalid Policy: invalid Name. Length must be greater than 0 and less than 128";
        }

        if (name.StartsWith('/') || name.StartsWith("builtin/", StringComparison.Ordinal))
        {
            return "Invalid Policy: invalid Name. Names cannot be prefixed with '/' or 'builtin/'";
        }

        return PolicyName().IsMatch(name) ? null : "Invalid Policy: invalid Name. Only alphanumeric characters, a single '/', '-' and '_' are allowed";
    }

    public static bool IsUuid(string id) => Uuid().IsMatch(id);

    public static bool IsReserved(string id) => id.StartsWith(ReservedPrefix, StringComparison.Ordinal);

    [GeneratedRegex("^[a-z0-9]([a-z0-9\\-_]*[a-z0-9])?$")]
    private static partial Regex IdentityName();

    [GeneratedRegex("^[A-Za-z0-9\\-_]{1,256}$")]
    private static partial Regex RoleName();

    [GeneratedRegex("^[A-Za-z0-9\\-_]+/?[A-Za-z0-9\\-_]*$")]
    private static partial Regex PolicyName();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex Uuid();
}
