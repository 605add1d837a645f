// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Consul's sidecar defaults (agent/sidecar_service.go; docs/consul-http-api.md §1): the ID <c>&lt;id&gt;-sidecar-proxy</c>,
/// name <c>&lt;name&gt;-sidecar-proxy</c>, kind connect-proxy, the parent's tags, meta and address when none are
/// given, a port from the sidecar range, the proxy pointing back at the parent, and two default checks.
/// </summary>
internal static class SidecarDefinitions
{
    public const string Suffix = "-sidecar-proxy";

    public const int MinPort = 21000;

    public const int MaxPort = 21255;

    /// <summary>The sidecar registration for <paramref name="parent"/> registered as <paramref name="parentId"/>.</summary>
    public static ServiceDefinition Build(ServiceDefinition parent, string parentId, IReadOnlyDictionary<string, ServiceRecord> services)
    {
        var s = parent.SidecarService!;
        var id = parentId + Suffix;
        var port = s.Port > 0 ? s.Port : AllocatePort(id, services);
        var address = s.Address.Length > 0 ? s.Address : parent.Address;
        var proxy = (s.Proxy ?? new ProxyConfig()).WithDefaults(parent.Name, parentId, "127.0.0.1", parent.Port, parent.SocketPath);
        var explicitChecks = s.Check is { IsEmpty: false } || s.Checks.Count > 0;
        return new ServiceDefinition
        {
            Kind = s.Kind.Length > 0 ? s.Kind : "connect-proxy",
            Id = id,
            Name = s.Name.Length > 0 ? s.Name : parent.Name + Suffix,
            Tags = s.Tags.Count > 0 ? s.Tags : parent.Tags,
            Address = address,
            TaggedAddresses = s.TaggedAddresses,
            Meta = s.Meta.Count > 0 ? s.Meta : parent.Meta,
            Port = port,
            SocketPath = s.SocketPath,
            Weights = s.Weights,
            EnableTagOverride = s.EnableTagOverride,
            Locality = s.Locality,
            Check = s.Check,
            Checks = explicitChecks ? s.Checks : DefaultChecks(parentId, address.Length > 0 ? address : proxy.LocalServiceAddress, port),
            Proxy = proxy,
            LocallyRegisteredAsSidecar = true,
        };
    }

    /// <summary>The lowest free port of the range, or the one this sidecar already holds.</summary>
    private static int AllocatePort(string sidecarId, IReadOnlyDictionary<string, ServiceRecord> services)
    {
        if (services.TryGetValue(sidecarId, out var existing) && existing.Port is >= MinPort and <= MaxPort)
        {
            return existing.Port;
        }

        var used = services.Values.Select(v => v.Port).Where(p => p is >= MinPort and <= MaxPort).ToHashSet();
        for (var p = MinPort; p <= MaxPort; p++)
        {
            if (!used.Contains(p))
            {
                return p;
            }
        }

        throw new InvalidOperationException($"no port provided for sidecar_service and none left in the configured range [{MinPort}, {MaxPort}]");
    }

    private static List<CheckDefinition> DefaultChecks(string parentId, string address, int port) =>
    [
        new CheckDefinition
        {
            Name = "Connect Sidecar Listening",
            Tcp = address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port}" : $"{address}:{port}",
            Interval = GoDuration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        },
        new CheckDefinition { Name = "Connect Sidecar Aliasing " + parentId, AliasService = parentId },
    ];
}
