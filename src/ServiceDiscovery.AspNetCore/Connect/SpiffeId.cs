// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// A Consul Connect identity read from a certificate's URI SAN by <see cref="SpiffeIdParser"/>. Immutable. Values
/// are as written in the certificate (no percent-decoding: the parser refuses escapes).
/// </summary>
/// <param name="Kind">Which kind of identity it is; only <see cref="SpiffeIdKind.Service"/> may connect.</param>
/// <param name="TrustDomain">The host part, e.g. <c>11111111-2222-3333-4444-555555555555.consul</c>.</param>
/// <param name="Partition">The admin partition: <c>default</c> when the URI has no <c>/ap/</c> segment.</param>
/// <param name="Namespace">The namespace of a service identity; empty for the other kinds.</param>
/// <param name="Datacenter">The datacenter; empty for <see cref="SpiffeIdKind.Signing"/>.</param>
/// <param name="Name">The service name of a service identity, the node id of an agent one; empty otherwise.</param>
internal sealed record SpiffeId(SpiffeIdKind Kind, string TrustDomain, string Partition, string Namespace, string Datacenter, string Name)
{
    /// <summary>Consul CE's only partition and namespace.</summary>
    public const string DefaultTenancy = "default";

    /// <summary>The identity Consul's CA gives a service's leaf in CE: <c>spiffe://&lt;td&gt;/ns/default/dc/&lt;dc&gt;/svc/&lt;service&gt;</c>.</summary>
    public static SpiffeId ForService(string trustDomain, string datacenter, string service)
        => new(SpiffeIdKind.Service, trustDomain, DefaultTenancy, DefaultTenancy, datacenter, service);

    /// <summary>True when <paramref name="trustDomain"/> is this identity's trust domain (compared case-insensitively, as DNS names are).</summary>
    public bool IsInTrustDomain(string trustDomain) => string.Equals(TrustDomain, trustDomain, StringComparison.OrdinalIgnoreCase);

    /// <summary>The identity as a URI, in the form Consul writes it (<c>/ap/</c> only for a partition other than <c>default</c>).</summary>
    public override string ToString()
    {
        var partition = string.Equals(Partition, DefaultTenancy, StringComparison.Ordinal) ? "" : "/ap/" + Partition;
        return Kind switch
        {
            SpiffeIdKind.Service => $"spiffe://{TrustDomain}{partition}/ns/{Namespace}/dc/{Datacenter}/svc/{Name}",
            SpiffeIdKind.Agent => $"spiffe://{TrustDomain}{partition}/agent/client/dc/{Datacenter}/id/{Name}",
            SpiffeIdKind.Server => $"spiffe://{TrustDomain}/agent/server/dc/{Datacenter}",
            SpiffeIdKind.MeshGateway => $"spiffe://{TrustDomain}{partition}/gateway/mesh/dc/{Datacenter}",
            _ => $"spiffe://{TrustDomain}",
        };
    }
}
