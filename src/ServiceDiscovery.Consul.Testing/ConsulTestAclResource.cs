// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>The kinds of resource an ACL rule of <see cref="ConsulTestAgent"/> can govern.</summary>
public enum ConsulTestAclResource
{
    /// <summary>Services, by name (<c>service_prefix</c>).</summary>
    Service,

    /// <summary>KV keys (<c>key_prefix</c>).</summary>
    Key,

    /// <summary>Nodes, by name (<c>node_prefix</c>); health reads and node checks need it.</summary>
    Node,

    /// <summary>Agents, by node name (<c>agent_prefix</c>); <c>/v1/agent/self</c> needs it.</summary>
    Agent,

    /// <summary>The cluster's operator functions (<c>operator</c>; the prefix is ignored): <c>/v1/agent/host</c> and force-leave need it.</summary>
    Operator,
}
