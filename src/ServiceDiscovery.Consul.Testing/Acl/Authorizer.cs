// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl.Rules;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// What one request's token may do, and Consul's 403 text when it may not (acl/errors.go). The token's merged rules
/// decide first; what they leave open falls to the agent's default policy, as Consul chains a token's authorizer
/// with the default one. Managing ACLs and snapshots is never granted by the default policy, only by an <c>acl</c> rule.
/// </summary>
internal sealed class Authorizer
{
    /// <summary>acl.ErrPermissionDenied's text: the bare 403 body of checks that do not name the permission.</summary>
    public const string PermissionDenied = "Permission denied";

    /// <summary>The accessor ID of Consul's built-in anonymous token.</summary>
    public const string AnonymousAccessorId = "00000000-0000-0000-0000-000000000002";

    private readonly PolicyAuthorizer? _rules;
    private readonly bool _defaultAllow;
    private readonly string? _accessorId;
    private readonly bool _allowsEverything;

    private Authorizer(PolicyAuthorizer? rules, bool defaultAllow, string? accessorId, bool allowsEverything = false)
    {
        _allowsEverything = allowsEverything;
        _rules = rules;
        _defaultAllow = defaultAllow;
        _accessorId = accessorId;
    }

    /// <summary>Gets the authorizer of an agent with ACLs off: everything is allowed, tokens are ignored.</summary>
    /// <remarks>No rules to evaluate: every request of an agent with ACLs off (the common case) passes through here.</remarks>
    public static Authorizer AllowAll { get; } = new(null, true, null, allowsEverything: true);

    /// <summary>Gets a value indicating whether a token was sent (Consul adds <c>X-Consul-Results-Filtered-By-ACLs</c> only then).</summary>
    public bool HasToken { get; private init; }

    /// <summary>Gets the accessor ID of the token, or <see langword="null"/> for the anonymous token.</summary>
    public string? AccessorId => _accessorId;

    /// <summary>An authorizer for a token's merged rules.</summary>
    /// <param name="rules">The merged rules of the token's policies, roles and identities.</param>
    /// <param name="defaultAllow">Whether names no rule matches are allowed.</param>
    /// <param name="accessorId">The token's accessor ID; the anonymous token's is quoted as "anonymous token" in messages.</param>
    /// <param name="sentToken">Whether the request carried a token.</param>
    public static Authorizer ForRules(PolicyRules rules, bool defaultAllow, string accessorId, bool sentToken) =>
        new(new PolicyAuthorizer(rules), defaultAllow, accessorId == AnonymousAccessorId ? null : accessorId) { HasToken = sentToken };

    /// <summary>Gets a value indicating whether the token may manage ACLs (<c>acl = "write"</c>), as the management token may.</summary>
    public bool IsManagement => Allows(AclScalarKind.Acl, AclAccessLevel.Write);

    public bool Allows(ConsulTestAclResource resource, string name, ConsulTestAclAccess level)
    {
        var required = level == ConsulTestAclAccess.Write ? AclAccessLevel.Write : AclAccessLevel.Read;
        return resource == ConsulTestAclResource.Operator
            ? Allows(AclScalarKind.Operator, required)
            : Allows(Kind(resource), name, required);
    }

    public bool Allows(AclResourceKind kind, string name, AclAccessLevel required) =>
        _allowsEverything || (_rules?.Decide(kind, name, required) ?? _defaultAllow);

    public bool Allows(AclScalarKind kind, AclAccessLevel required) =>
        _allowsEverything || (_rules?.Decide(kind, required) ?? (kind != AclScalarKind.Acl && _defaultAllow));

    /// <summary>Whether a whole KV prefix may be written (recursive delete).</summary>
    public bool AllowsKeyWritePrefix(string prefix) => _allowsEverything || (_rules?.DecideKeyWritePrefix(prefix) ?? _defaultAllow);

    /// <summary>The body of the 403 for a denied permission.</summary>
    public string DeniedMessage(ConsulTestAclResource resource, string name, ConsulTestAclAccess level) =>
        resource == ConsulTestAclResource.Operator
            ? DeniedUnnamed($"operator:{(level == ConsulTestAclAccess.Write ? "write" : "read")}")
            : Denied(Kind(resource), name, level == ConsulTestAclAccess.Write ? AclAccessLevel.Write : AclAccessLevel.Read);

    /// <summary>acl/errors.go <c>PermissionDeniedByACL</c>: the 403 text for a named resource.</summary>
    public string Denied(AclResourceKind kind, string name, AclAccessLevel required)
    {
        var permission = $"{ResourceName(kind)}:{required.Text()}";
        return _accessorId is null
            ? $"Permission denied: anonymous token lacks permission '{permission}' on \"{name}\". The anonymous token is used implicitly when a request does not specify a token."
            : $"Permission denied: token with AccessorID '{_accessorId}' lacks permission '{permission}' on \"{name}\"";
    }

    /// <summary>acl/errors.go <c>PermissionDeniedByACLUnnamed</c>: the 403 text for a permission without a resource name (<c>operator:read</c>, <c>acl:read</c>).</summary>
    public string DeniedUnnamed(string permission) => _accessorId is null
        ? $"Permission denied: anonymous token lacks permission '{permission}'. The anonymous token is used implicitly when a request does not specify a token."
        : $"Permission denied: token with AccessorID '{_accessorId}' lacks permission '{permission}'";

    private static AclResourceKind Kind(ConsulTestAclResource resource) => resource switch
    {
        ConsulTestAclResource.Service => AclResourceKind.Service,
        ConsulTestAclResource.Key => AclResourceKind.Key,
        ConsulTestAclResource.Node => AclResourceKind.Node,
        _ => AclResourceKind.Agent,
    };

    private static string ResourceName(AclResourceKind kind) => kind switch
    {
        AclResourceKind.Service => "service",
        AclResourceKind.Key => "key",
        AclResourceKind.Node => "node",
        AclResourceKind.Session => "session",
        AclResourceKind.Event => "event",
        AclResourceKind.Query => "query",
        AclResourceKind.Intention => "intention",
        _ => "agent",
    };
}
