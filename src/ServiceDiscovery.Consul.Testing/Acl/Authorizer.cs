// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>What one request's token may do, and Consul's 403 text when it may not (acl/errors.go).</summary>
internal sealed class Authorizer
{
    /// <summary>The accessor ID of Consul's built-in anonymous token.</summary>
    public const string AnonymousAccessorId = "00000000-0000-0000-0000-000000000002";

    private readonly IReadOnlyList<ConsulTestAclRule> _rules;
    private readonly bool _defaultAllow;
    private readonly bool _all;
    private readonly string? _accessorId;

    private Authorizer(IReadOnlyList<ConsulTestAclRule> rules, bool defaultAllow, bool all, string? accessorId)
    {
        _rules = rules;
        _defaultAllow = defaultAllow;
        _all = all;
        _accessorId = accessorId;
    }

    /// <summary>Gets the authorizer of an agent with ACLs off, or of the management token.</summary>
    public static Authorizer AllowAll { get; } = new([], true, true, null);

    /// <summary>Gets a value indicating whether a token was sent (Consul adds <c>X-Consul-Results-Filtered-By-ACLs</c> only then).</summary>
    public bool HasToken { get; private init; }

    public static Authorizer Management() => new([], true, true, null) { HasToken = true };

    public static Authorizer ForToken(ConsulTestAclToken token, bool defaultAllow) =>
        new([.. token.Rules], defaultAllow, false, token.AccessorId) { HasToken = true };

    public static Authorizer Anonymous(bool defaultAllow) => new([], defaultAllow, false, null);

    public bool Allows(ConsulTestAclResource resource, string name, ConsulTestAclAccess level)
    {
        if (_all)
        {
            return true;
        }

        ConsulTestAclRule? best = null;
        foreach (var rule in _rules)
        {
            if (rule.Resource == resource && name.StartsWith(rule.Prefix, StringComparison.Ordinal)
                && (best is null || rule.Prefix.Length > best.Prefix.Length))
            {
                best = rule;
            }
        }

        if (best is null)
        {
            return _defaultAllow;
        }

        return best.Access switch
        {
            ConsulTestAclAccess.Write => true,
            ConsulTestAclAccess.Read => level == ConsulTestAclAccess.Read,
            _ => false,
        };
    }

    /// <summary>The body of the 403 for a denied permission.</summary>
    public string DeniedMessage(ConsulTestAclResource resource, string name, ConsulTestAclAccess level)
    {
        var permission = $"{ResourceName(resource)}:{(level == ConsulTestAclAccess.Write ? "write" : "read")}";
        if (resource == ConsulTestAclResource.Operator)
        {
            return DeniedUnnamed(permission);
        }

        return _accessorId is null
            ? $"Permission denied: anonymous token lacks permission '{permission}' on \"{name}\". The anonymous token is used implicitly when a request does not specify a token."
            : $"Permission denied: token with AccessorID '{_accessorId}' lacks permission '{permission}' on \"{name}\"";
    }

    /// <summary>Gets a value indicating whether this is the management token (or ACLs are off): only it has <c>acl:read</c>/<c>acl:write</c>.</summary>
    public bool IsManagement => _all;

    /// <summary>acl/errors.go <c>PermissionDeniedByACLUnnamed</c>: the 403 text for a permission without a resource name (<c>operator:read</c>, <c>acl:read</c>).</summary>
    public string DeniedUnnamed(string permission) => _accessorId is null
        ? $"Permission denied: anonymous token lacks permission '{permission}'. The anonymous token is used implicitly when a request does not specify a token."
        : $"Permission denied: token with AccessorID '{_accessorId}' lacks permission '{permission}'";

    private static string ResourceName(ConsulTestAclResource resource) => resource switch
    {
        ConsulTestAclResource.Service => "service",
        ConsulTestAclResource.Key => "key",
        ConsulTestAclResource.Node => "node",
        ConsulTestAclResource.Operator => "operator",
        _ => "agent",
    };
}
