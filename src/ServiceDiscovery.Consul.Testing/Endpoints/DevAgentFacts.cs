// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// What a <c>consul agent -dev</c> reports about itself (§13): its fixed ports, build, and its one serf member.
/// </summary>
internal static class DevAgentFacts
{
    public const int ServerPort = 8300;
    public const int SerfLanPort = 8301;
    public const int SerfWanPort = 8302;
    public const int DnsPort = 8600;
    public const int GrpcPort = 8502;
    public const int GrpcTlsPort = 8503;

    /// <summary>The agent's <c>Revision</c> (a real agent reports its git commit).</summary>
    public const string Revision = "testagent";

    public const string BuildDate = "2025-01-01T00:00:00Z";

    /// <summary>The Go runtime a 1.21 build reports in <c>Stats.runtime.version</c>.</summary>
    public const string GoVersion = "go1.23.12";

    /// <summary>
    /// Writes a <c>serf.Member</c>: the node on the LAN pool, or <c>node.dc</c> on the WAN pool; a server carries the
    /// server tags (consul/server_serf.go), a client agent only <c>role: node</c> and the common ones (client_serf.go).
    /// </summary>
    public static void WriteMember(Utf8JsonWriter w, NodeInfo node, bool wan, bool aclsEnabled, bool server = true, int status = 1)
    {
        w.WriteStartObject();
        w.WriteString("Name", wan ? $"{node.Name}.{node.Datacenter}" : node.Name);
        w.WriteString("Addr", node.Address);
        w.WriteNumber("Port", wan ? SerfWanPort : SerfLanPort);
        if (!server)
        {
            WriteClientTags(w, node, aclsEnabled);
            WriteMemberVersions(w, status);
            return;
        }

        w.WriteStartObject("Tags");
        w.WriteString("acls", aclsEnabled ? "1" : "0");
        w.WriteString("bootstrap", "1");
        w.WriteString("build", $"{ConsulTestAgent.ConsulVersion}:{Revision[..8]}");
        w.WriteString("dc", node.Datacenter);
        w.WriteString("ft_fs", "1");
        w.WriteString("ft_si", "1");
        w.WriteString("grpc_port", GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("grpc_tls_port", GrpcTlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("id", node.Id);
        w.WriteString("port", ServerPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteString("raft_vsn", "3");
        w.WriteString("role", "consul");
        if (!wan)
        {
            w.WriteString("segment", string.Empty);
        }

        w.WriteString("vsn", "2");
        w.WriteString("vsn_max", "3");
        w.WriteString("vsn_min", "2");
        w.WriteString("wan_join_port", SerfWanPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        w.WriteEndObject();
        WriteMemberVersions(w, status);
    }

    /// <summary>A client agent's serf tags, sorted as Go writes a map.</summary>
    private static void WriteClientTags(Utf8JsonWriter w, NodeInfo node, bool aclsEnabled) => WriteStringMap(w, "Tags",
        ("acls", aclsEnabled ? "1" : "0"), ("build", $"{ConsulTestAgent.ConsulVersion}:{Revision[..8]}"), ("dc", node.Datacenter),
        ("id", node.Id), ("role", "node"), ("segment", string.Empty), ("vsn", "2"), ("vsn_max", "3"), ("vsn_min", "2"));

    /// <summary>The member's status and protocol versions; closes the member object.</summary>
    private static void WriteMemberVersions(Utf8JsonWriter w, int status)
    {
        w.WriteNumber("Status", status);
        w.WriteNumber("ProtocolMin", 1);
        w.WriteNumber("ProtocolMax", 5);
        w.WriteNumber("ProtocolCur", 2);
        w.WriteNumber("DelegateMin", 2);
        w.WriteNumber("DelegateMax", 5);
        w.WriteNumber("DelegateCur", 4);
        w.WriteEndObject();
    }

    /// <summary>Go's <c>runtime.GOARCH</c> name of this machine.</summary>
    public static string GoArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>Go's <c>runtime.GOOS</c> name of this machine.</summary>
    public static string GoOs => OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "darwin" : "linux";

    /// <summary>Writes a flat object of string values, as <c>map[string]string</c>.</summary>
    public static void WriteStringMap(Utf8JsonWriter w, string name, params (string Key, string Value)[] pairs)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }
}
