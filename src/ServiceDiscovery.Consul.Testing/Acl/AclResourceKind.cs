// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>The named resources of Consul's rule language: each has an exact form (<c>key</c>) and a prefix form (<c>key_prefix</c>).</summary>
internal enum AclResourceKind
{
    /// <summary><c>agent</c> / <c>agent_prefix</c>, by node name.</summary>
    Agent,

    /// <summary><c>event</c> / <c>event_prefix</c>, by event name.</summary>
    Event,

    /// <summary><c>key</c> / <c>key_prefix</c>, by KV key.</summary>
    Key,

    /// <summary><c>node</c> / <c>node_prefix</c>, by node name.</summary>
    Node,

    /// <summary><c>query</c> / <c>query_prefix</c>, by prepared query name.</summary>
    Query,

    /// <summary><c>service</c> / <c>service_prefix</c>, by service name.</summary>
    Service,

    /// <summary><c>session</c> / <c>session_prefix</c>, by node name.</summary>
    Session,

    /// <summary>Intentions whose destination is the service (the <c>intentions</c> field of <c>service</c> rules).</summary>
    Intention,
}

/// <summary>The resources of Consul's rule language that take one level and no name.</summary>
internal enum AclScalarKind
{
    /// <summary><c>acl</c>: reading and managing tokens, policies and roles.</summary>
    Acl,

    /// <summary><c>keyring</c>: the gossip keyring.</summary>
    Keyring,

    /// <summary><c>operator</c>: Raft, autopilot, cluster operations.</summary>
    Operator,

    /// <summary><c>mesh</c>: mesh-wide configuration.</summary>
    Mesh,

    /// <summary><c>peering</c>: cluster peering.</summary>
    Peering,
}
