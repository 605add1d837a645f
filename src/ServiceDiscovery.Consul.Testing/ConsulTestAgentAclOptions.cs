// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>The ACL system of a <see cref="ConsulTestAgent"/>: off, or a management token plus tokens with rules.</summary>
public sealed class ConsulTestAgentAclOptions
{
    /// <summary>Gets or sets a value indicating whether tokens are checked at all (Consul's <c>acl.enabled</c>).</summary>
    /// <value>The default is <see langword="false"/>: every request is allowed and tokens are ignored.</value>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether names no rule matches are allowed (<c>acl.default_policy = "allow"</c>)
    /// rather than denied.
    /// </summary>
    /// <value>The default is <see langword="false"/> (<c>"deny"</c>), the production setting.</value>
    public bool DefaultAllow { get; set; }

    /// <summary>Gets or sets the management token's secret (<c>acl.tokens.initial_management</c>): it may do anything.</summary>
    /// <value>The default is none.</value>
    public string? ManagementToken { get; set; }

    /// <summary>Gets the other tokens the agent knows. Any other token is answered with 403 <c>ACL not found</c>.</summary>
    public IList<ConsulTestAclToken> Tokens { get; } = [];
}
