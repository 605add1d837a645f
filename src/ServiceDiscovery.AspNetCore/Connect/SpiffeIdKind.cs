// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// The kinds of identity Consul's CA writes into a certificate's URI SAN (docs/consul-http-api.md, Connect
/// identities). Only <see cref="Service"/> may take part in a Connect-native connection; the others are recognised
/// so that a peer presenting one is refused by name rather than as "malformed".
/// </summary>
internal enum SpiffeIdKind
{
    /// <summary><c>spiffe://&lt;td&gt;[/ap/&lt;partition&gt;]/ns/&lt;ns&gt;/dc/&lt;dc&gt;/svc/&lt;service&gt;</c>: a service's leaf.</summary>
    Service,

    /// <summary><c>spiffe://&lt;td&gt;[/ap/&lt;partition&gt;]/agent/client/dc/&lt;dc&gt;/id/&lt;node&gt;</c>: a client agent's certificate.</summary>
    Agent,

    /// <summary><c>spiffe://&lt;td&gt;/agent/server/dc/&lt;dc&gt;</c>: a Consul server's certificate.</summary>
    Server,

    /// <summary><c>spiffe://&lt;td&gt;[/ap/&lt;partition&gt;]/gateway/mesh/dc/&lt;dc&gt;</c>: a mesh gateway's certificate.</summary>
    MeshGateway,

    /// <summary><c>spiffe://&lt;cluster id&gt;.&lt;domain&gt;</c> with no path: the CA's own signing identity.</summary>
    Signing,
}
