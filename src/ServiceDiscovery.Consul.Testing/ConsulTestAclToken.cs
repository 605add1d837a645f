// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>An ACL token <see cref="ConsulTestAgent"/> accepts. Its secret never appears in <see cref="ToString"/>.</summary>
public sealed class ConsulTestAclToken
{
    /// <summary>Gets or sets the secret a client sends (<c>X-Consul-Token</c>, <c>Authorization: Bearer</c> or <c>?token=</c>).</summary>
    /// <value>The default is a new random UUID.</value>
    public string SecretId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>Gets or sets the public identifier quoted in <c>Permission denied</c> messages.</summary>
    /// <value>The default is a new random UUID.</value>
    public string AccessorId { get; set; } = Guid.NewGuid().ToString();

    /// <summary>Gets the token's rules. Names no rule matches fall back to the agent's default policy.</summary>
    public IList<ConsulTestAclRule> Rules { get; } = [];

    /// <summary>
    /// Gets or sets rules in Consul's rule language, HCL or JSON, as a policy's <c>Rules</c> field holds them
    /// (<c>key_prefix "config/" { policy = "read" }</c>). They join <see cref="Rules"/> in the token's policy; an
    /// invalid text fails the agent's start with the line and column of the error.
    /// </summary>
    /// <value>The default is none.</value>
    public string? PolicyRules { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"ConsulTestAclToken {{ AccessorId = {AccessorId}, Rules = {Rules.Count} }}";
}
