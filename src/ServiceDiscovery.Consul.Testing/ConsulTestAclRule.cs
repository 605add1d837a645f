// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>
/// One prefix rule of an ACL token, like Consul's <c>service_prefix "web" { policy = "write" }</c>. The longest
/// matching prefix decides; an empty prefix matches every name.
/// </summary>
/// <param name="Resource">The kind of resource the rule governs.</param>
/// <param name="Prefix">The name prefix the rule applies to.</param>
/// <param name="Access">The access granted.</param>
public sealed record ConsulTestAclRule(ConsulTestAclResource Resource, string Prefix, ConsulTestAclAccess Access);
