// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A Connect identity parsed from a certificate URI as Consul's <c>connect.ParseCertURI</c> recognises them: a service
/// (<c>[/ap/p]/ns/n/dc/d/svc/s</c>), a client agent (<c>[/ap/p]/agent/client/dc/d/id/n</c>), a server
/// (<c>/agent/server/dc/d</c>), a mesh gateway (<c>[/ap/p]/gateway/mesh/dc/d</c>) or the CA's signing ID (no path).
/// </summary>
internal sealed partial record SpiffeId(SpiffeKind Kind, string TrustDomain, string Partition, string Namespace, string Datacenter, string Service)
{
    /// <summary>Parses <paramref name="text"/>, or returns null when it is not a Connect identifier.</summary>
    public static SpiffeId? Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "spiffe" || uri.Host.Length == 0)
        {
            return null;
        }

        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var host = uri.Host;
        if (path is "" or "/")
        {
            return new SpiffeId(SpiffeKind.Signing, host, "default", string.Empty, string.Empty, string.Empty);
        }

        if (ServicePath().Match(path) is { Success: true } service)
        {
            return new SpiffeId(SpiffeKind.Service, host, PartitionOf(service), service.Groups["ns"].Value, service.Groups["dc"].Value, service.Groups["svc"].Value);
        }

        if (AgentPath().Match(path) is { Success: true } agent)
        {
            return new SpiffeId(SpiffeKind.Agent, host, PartitionOf(agent), string.Empty, agent.Groups["dc"].Value, string.Empty);
        }

        if (ServerPath().Match(path) is { Success: true } server)
        {
            return new SpiffeId(SpiffeKind.Server, host, "default", string.Empty, server.Groups["dc"].Value, string.Empty);
        }

        return GatewayPath().Match(path) is { Success: true } gateway
            ? new SpiffeId(SpiffeKind.MeshGateway, host, PartitionOf(gateway), string.Empty, gateway.Groups["dc"].Value, string.Empty)
            : null;
    }

    private static string PartitionOf(Match match) => match.Groups["ap"].Success ? match.Groups["ap"].Value : "default";

    [GeneratedRegex("^(?:/ap/(?<ap>[^/]+))?/ns/(?<ns>[^/]+)/dc/(?<dc>[^/]+)/svc/(?<svc>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ServicePath();

    [GeneratedRegex("^(?:/ap/(?<ap>[^/]+))?/agent/client/dc/(?<dc>[^/]+)/id/(?<id>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex AgentPath();

    [GeneratedRegex("^/agent/server/dc/(?<dc>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex ServerPath();

    [GeneratedRegex("^(?:/ap/(?<ap>[^/]+))?/gateway/mesh/dc/(?<dc>[^/]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex GatewayPath();
}

/// <summary>The kinds of Connect identity a certificate URI can name.</summary>
internal enum SpiffeKind
{
    Service,
    Agent,
    Server,
    MeshGateway,
    Signing,
}
