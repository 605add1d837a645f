// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>The access an ACL rule grants, as Consul's <c>policy = "deny" | "read" | "write"</c>.</summary>
public enum ConsulTestAclAccess
{
    /// <summary>No access, even where the default policy allows it.</summary>
    Deny,

    /// <summary>Read access.</summary>
    Read,

    /// <summary>Read and write access.</summary>
    Write,
}
