// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The <c>ingress-gateway</c> and <c>terminating-gateway</c> kinds of <c>/v1/config</c>, normalised and validated as
/// Consul does (agent/structs/config_entry_gateways.go <c>Normalize</c>, <c>Validate</c>) before they are stored;
/// the stored entries feed the <see cref="GatewayServiceTable"/>.
/// </summary>
internal static class GatewayConfigEntries
{
    public const string IngressKind = GatewayServiceTable.IngressKind;

    public const string TerminatingKind = GatewayServiceTable.TerminatingKind;

    private static readonly HashSet<string> IngressProtocols = new(StringComparer.Ordinal) { "tcp", "http", "http2", "grpc" };

    public static bool IsGateway(string kind) => kind is IngressKind or TerminatingKind;

    /// <summary>Normalises <paramref name="entry"/> in place and returns Consul's validation error, or null when it is valid.</summary>
    public static string? NormalizeAndValidate(string kind, JsonObject entry) =>
        kind == IngressKind ? Ingress(entry) : Terminating(entry);

    /// <summary>The part of a gateway entry whose change rewrites the gateway's service mappings.</summary>
    public static string ServicesOf(string kind, JsonObject entry) =>
        (kind == IngressKind ? entry["Listeners"] : entry["Services"])?.ToJsonString() ?? "null";

    /// <summary>
    /// state/config_entry.go <c>validateProposedIngressProtocolsInServiceGraph</c>: each service an ingress listener
    /// names (the wildcard aside) must speak the listener's protocol, which is its <c>service-defaults</c> protocol,
    /// else the <c>proxy-defaults</c> one, else <c>tcp</c>. The caller holds the store's lock.
    /// </summary>
    public static string? ProtocolMismatch(ConfigEntryTable table, JsonObject entry)
    {
        foreach (var listener in Array(entry, "Listeners"))
        {
            var expected = Text(listener, "Protocol");
            foreach (var name in Array(listener, "Services").Select(s => Text(s, "Name")).Where(n => n != GatewayService.Wildcard))
            {
                var protocol = ProtocolOf(table, name);
                if (protocol != expected)
                {
                    return $"service {Quote(name)} has protocol {Quote(protocol)}, which does not match defined listener protocol {Quote(expected)}";
                }
            }
        }

        return null;
    }

    private static string ProtocolOf(ConfigEntryTable table, string service)
    {
        var own = table.Entries.GetValueOrDefault(("service-defaults", service)) is { } defaults ? Text(defaults, "Protocol") : string.Empty;
        var global = table.Entries.GetValueOrDefault(("proxy-defaults", "global"))?["Config"] is JsonObject config ? Text(config, "protocol") : string.Empty;
        return (own.Length > 0 ? own : global.Length > 0 ? global : "tcp").ToLowerInvariant();
    }

    private static string? Ingress(JsonObject entry)
    {
        // Normalize: TLS is always present; a listener's protocol defaults to tcp and is lower-cased.
        entry["TLS"] ??= new JsonObject { ["Enabled"] = false };
        var tlsEnabled = entry["TLS"] is JsonObject tls && tls["Enabled"] is JsonValue enabled && enabled.GetValueKind() == JsonValueKind.True;
        var listeners = Array(entry, "Listeners");
        foreach (var listener in listeners)
        {
            var protocol = Text(listener, "Protocol");
            listener["Protocol"] = protocol.Length == 0 ? "tcp" : protocol.ToLowerInvariant();
            foreach (var service in Array(listener, "Services"))
            {
                service["Hosts"] ??= null;
            }
        }

        var ports = new HashSet<int>();
        foreach (var listener in listeners)
        {
            var port = listener["Port"] is JsonValue p && p.TryGetValue<int>(out var value) ? value : 0;
            var protocol = Text(listener, "Protocol");
            var services = Array(listener, "Services");
            var error = !ports.Add(port) ? $"port {port} declared on two listeners"
                : !IngressProtocols.Contains(protocol) ? $"protocol must be 'tcp', 'http', 'http2', or 'grpc'. '{protocol}' is an unsupported protocol"
                : services.Count == 0 ? $"No service declared for listener with port {port}"
                : protocol == "tcp" && services.Count > 1
                    ? $"Multiple services per listener are only supported for L7 protocols, 'http', 'grpc' and 'http2' (listener on port {port})"
                : IngressServices(services, protocol, port, tlsEnabled);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? IngressServices(List<JsonObject> services, string protocol, int port, bool tlsEnabled)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var at = $"(listener on port {port})";
        foreach (var service in services)
        {
            var name = Text(service, "Name");
            var serviceHosts = (service["Hosts"] as JsonArray ?? []).Select(h => h?.GetValueKind() == JsonValueKind.String ? (string)h! : string.Empty).ToList();
            var error = protocol == "tcp" && name == GatewayService.Wildcard ? $"Wildcard service name is only valid for protocol = 'http' {at}"
                : protocol == "tcp" && serviceHosts.Count > 0 ? $"Associating hosts to a service is not supported for the tcp protocol {at}"
                : name.Length == 0 ? $"Service name cannot be blank {at}"
                : name == GatewayService.Wildcard && serviceHosts.Count > 0 ? $"Associating hosts to a wildcard service is not supported {at}"
                : !names.Add(name) ? $"Service {name} cannot be added multiple times {at}"
                : serviceHosts.Select(h => !hosts.Add(h) ? $"Hosts must be unique within a specific listener {at}" : HostError(tlsEnabled, h)).FirstOrDefault(e => e is not null);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>validateHost: <c>*</c> only without TLS; otherwise a DNS name whose only wildcard is the leftmost label.</summary>
    private static string? HostError(bool tlsEnabled, string host)
    {
        if (host == "*")
        {
            return tlsEnabled ? "Host '*' is not allowed when TLS is enabled, all hosts must be valid DNS records to add as a DNSSAN" : null;
        }

        if (!IsDomainName(host))
        {
            return $"Host {Quote(host)} must be a valid DNS hostname";
        }

        return (host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host).Contains('*', StringComparison.Ordinal)
            ? $"Host {Quote(host)} is not valid, a wildcard specifier is only allowed as the leftmost label"
            : null;
    }

    /// <summary>miekg/dns <c>IsDomainName</c>: at most 255 octets, no empty label but a final dot, labels of at most 63.</summary>
    private static bool IsDomainName(string host)
    {
        if (host.Length == 0 || host.Length > 255)
        {
            return false;
        }

        var labels = (host.EndsWith('.') && host.Length > 1 ? host[..^1] : host).Split('.');
        return host == "." || labels.All(l => l.Length is > 0 and <= 63);
    }

    private static string? Terminating(JsonObject entry)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in Array(entry, "Services"))
        {
            var name = Text(service, "Name");
            var (ca, cert, key) = (Text(service, "CAFile"), Text(service, "CertFile"), Text(service, "KeyFile"));
            var error = name.Length == 0 ? "Service name cannot be blank."
                : !seen.Add(name) ? $"Service {Quote(name)} was specified more than once within a namespace"
                : (cert.Length > 0 || key.Length > 0) && !(ca.Length > 0 && cert.Length > 0 && key.Length > 0)
                    ? $"Service {Quote(name)} must have a CertFile, CAFile, and KeyFile specified for TLS origination"
                : null;
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static List<JsonObject> Array(JsonObject owner, string field) => (owner[field] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static string Text(JsonObject o, string field) =>
        o[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string)v! : string.Empty;

    private static string Quote(string value) => GoString.Quote(value);
}
