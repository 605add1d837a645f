// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// A service's <c>Proxy</c> (Consul's <c>structs.ConnectProxyConfig</c>): the scalar fields are read and typed, the
/// nested blocks (Config, Upstreams, MeshGateway, Expose, TransparentProxy, AccessLogs, EnvoyExtensions) are kept as
/// the JSON the client sent, except that an upstream without <c>DestinationType</c> gets <c>"service"</c>
/// (docs/consul-http-api.md §1).
/// </summary>
internal sealed class ProxyConfig
{
    private static readonly Dictionary<string, string> Fields = StrictObject.Fields(
        ["EnvoyExtensions", "envoy_extensions"], ["DestinationServiceName", "destination_service_name"],
        ["DestinationServiceID", "destination_service_id"], ["LocalServiceAddress", "local_service_address"],
        ["LocalServicePort", "local_service_port"], ["LocalServiceSocketPath", "local_service_socket_path"], ["Mode"],
        ["Config"], ["Upstreams"], ["MeshGateway", "mesh_gateway"], ["Expose"], ["TransparentProxy", "transparent_proxy"],
        ["AccessLogs", "access_logs"]);

    private static readonly string[] Blocks = ["EnvoyExtensions", "Config", "Upstreams", "MeshGateway", "Expose", "TransparentProxy", "AccessLogs"];

    public string DestinationServiceName { get; init; } = string.Empty;

    public string DestinationServiceId { get; init; } = string.Empty;

    public string LocalServiceAddress { get; init; } = string.Empty;

    public int LocalServicePort { get; init; }

    public string LocalServiceSocketPath { get; init; } = string.Empty;

    public string Mode { get; init; } = string.Empty;

    /// <summary>Gets the nested blocks that were set, as JSON text, keyed by their canonical field name.</summary>
    public IReadOnlyDictionary<string, string> RawBlocks { get; init; } = new Dictionary<string, string>();

    public static ProxyConfig Read(JsonElement element)
    {
        var o = StrictObject.Read(element, "ConnectProxyConfig", Fields);
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Blocks)
        {
            if (o.Raw(name) is not { } raw)
            {
                continue;
            }

            var node = JsonNode.Parse(raw.GetRawText())!;
            if (name == "Upstreams" && node is JsonArray upstreams)
            {
                foreach (var u in upstreams.OfType<JsonObject>())
                {
                    if (!u.Any(p => string.Equals(p.Key, "DestinationType", StringComparison.OrdinalIgnoreCase)
                        || p.Key == "destination_type") || u["DestinationType"]?.ToString() is "")
                    {
                        u["DestinationType"] = "service";
                    }
                }
            }

            blocks[name] = node.ToJsonString();
        }

        return new ProxyConfig
        {
            DestinationServiceName = o.GetString("DestinationServiceName"),
            DestinationServiceId = o.GetString("DestinationServiceID"),
            LocalServiceAddress = o.GetString("LocalServiceAddress"),
            LocalServicePort = o.GetInt("LocalServicePort"),
            LocalServiceSocketPath = o.GetString("LocalServiceSocketPath"),
            Mode = o.GetString("Mode"),
            RawBlocks = blocks,
        };
    }

    /// <summary>A copy with the given defaults filled where this one is empty.</summary>
    public ProxyConfig WithDefaults(string name, string id, string address, int port, string socketPath)
    {
        var fill = LocalServiceSocketPath.Length == 0 && (LocalServiceAddress.Length == 0 || LocalServicePort < 1);
        var useSocket = fill && socketPath.Length > 0;
        return new ProxyConfig
        {
            DestinationServiceName = DestinationServiceName.Length > 0 ? DestinationServiceName : name,
            DestinationServiceId = DestinationServiceId.Length > 0 ? DestinationServiceId : id,
            LocalServiceSocketPath = useSocket ? socketPath : LocalServiceSocketPath,
            LocalServiceAddress = fill && !useSocket && LocalServiceAddress.Length == 0 ? address : LocalServiceAddress,
            LocalServicePort = fill && !useSocket && LocalServicePort < 1 ? port : LocalServicePort,
            Mode = Mode,
            RawBlocks = RawBlocks,
        };
    }

    /// <summary>
    /// Writes the proxy: <paramref name="agentForm"/> is <c>api.AgentServiceConnectProxyConfig</c> (Mode omitted when
    /// empty), otherwise <c>structs.ConnectProxyConfig</c> as the catalog and health endpoints print it.
    /// </summary>
    public void Write(Utf8JsonWriter w, string name, bool agentForm)
    {
        w.WriteStartObject(name);
        WriteBlock(w, "EnvoyExtensions");
        WriteIfSet(w, "DestinationServiceName", DestinationServiceName);
        WriteIfSet(w, "DestinationServiceID", DestinationServiceId);
        WriteIfSet(w, "LocalServiceAddress", LocalServiceAddress);
        if (LocalServicePort != 0)
        {
            w.WriteNumber(nameof(LocalServicePort), LocalServicePort);
        }

        WriteIfSet(w, "LocalServiceSocketPath", LocalServiceSocketPath);
        if (!agentForm || Mode.Length > 0)
        {
            w.WriteString(nameof(Mode), Mode);
        }

        WriteBlock(w, "Config");
        WriteBlock(w, "Upstreams");
        WriteBlock(w, "MeshGateway", always: true);
        WriteBlock(w, "Expose", always: true);
        WriteBlock(w, "TransparentProxy");
        WriteBlock(w, "AccessLogs");
        w.WriteEndObject();
    }

    /// <summary>The JSON this proxy prints as, for change detection.</summary>
    public string Fingerprint()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            Write(w, "p", agentForm: false);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string value)
    {
        if (value.Length > 0)
        {
            w.WriteString(name, value);
        }
    }

    private void WriteBlock(Utf8JsonWriter w, string name, bool always = false)
    {
        if (RawBlocks.TryGetValue(name, out var raw))
        {
            w.WritePropertyName(name);
            w.WriteRawValue(raw, skipInputValidation: true);
        }
        else if (always)
        {
            w.WriteStartObject(name);
            w.WriteEndObject();
        }
    }
}
