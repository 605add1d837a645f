// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/agent/self</c> (§13): <c>Config</c>, the <c>DebugConfig</c> keys clients read, <c>Coord</c>,
/// <c>Member</c>, <c>Stats</c> (string maps as <c>Agent.Stats()</c> builds them), <c>Meta</c> and <c>xDS</c>, with a
/// <c>-dev</c> agent's values. A client agent of a cluster reports itself as Consul's client agents do: not a server,
/// no bootstrap, <c>role: node</c>, and the client's <c>Stats</c> (consul/client.go: <c>consul</c> with <c>acl</c>,
/// <c>known_servers</c> and <c>server</c> only, <c>serf_lan</c>, no <c>raft</c> nor <c>serf_wan</c>).
/// </summary>
internal static class AgentSelfEndpoint
{
    public static void Map(Router router) => router.Add("/v1/agent/self", ["GET"], SelfAsync);

    private static async Task SelfAsync(AgentRequest r)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Agent, r.Local.Node.Name, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var node = r.Local.Node;
        int services, checks, ttls, monitors;
        ulong index;
        MemberCounts counts;
        lock (r.Store.Sync)
        {
            counts = new MemberCounts(r.Store.IsServer(node.Name), r.Store.Members);
        }

        lock (r.Local.Sync)
        {
            services = r.Local.Services.Count;
            checks = r.Local.Checks.Count;
            ttls = r.Local.Checks.Values.Count(c => c.Type == "ttl");
            monitors = r.Local.Checks.Values.Count(c => c.Type == "script");
            index = r.Store.Index;
        }

        var httpPort = r.Context.Connection.LocalPort;
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("Config");
            w.WriteString("Datacenter", node.Datacenter);
            w.WriteString("PrimaryDatacenter", r.Wan?.Primary ?? node.Datacenter);
            w.WriteString("NodeName", node.Name);
            w.WriteString("NodeID", node.Id);
            w.WriteString("Revision", DevAgentFacts.Revision);
            w.WriteBoolean("Server", counts.IsServer);
            w.WriteString("Version", ConsulTestAgent.ConsulVersion);
            w.WriteString("BuildDate", DevAgentFacts.BuildDate);
            w.WriteEndObject();
            WriteDebugConfig(w, r, httpPort, counts.IsServer);
            w.WriteStartObject("Coord");
            w.WriteStartArray("Vec");
            for (var i = 0; i < 8; i++)
            {
                w.WriteNumberValue(0);
            }

            w.WriteEndArray();
            w.WriteNumber("Error", 1.5);
            w.WriteNumber("Adjustment", 0);
            w.WriteNumber("Height", 1e-05);
            w.WriteEndObject();
            w.WritePropertyName("Member");
            DevAgentFacts.WriteMember(w, node, wan: false, r.Options.Acl.Enabled, counts.IsServer);
            WriteStats(w, r, index, counts, (services, checks, ttls, monitors));
            DevAgentFacts.WriteStringMap(w, "Meta", ("consul-network-segment", string.Empty), ("consul-version", ConsulTestAgent.ConsulVersion));
            w.WriteStartObject("xDS");
            w.WriteStartObject("SupportedProxies");
            w.WriteStartArray("envoy");
            foreach (var version in (string[])["1.34.1", "1.33.5", "1.32.8", "1.31.10"])
            {
                w.WriteStringValue(version);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNumber("Port", DevAgentFacts.GrpcTlsPort);
            w.WriteStartObject("Ports");
            w.WriteNumber("Plaintext", DevAgentFacts.GrpcPort);
            w.WriteNumber("TLS", DevAgentFacts.GrpcTlsPort);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>The keys of <c>RuntimeConfig.Sanitized()</c> clients read; addresses sanitized as <c>tcp://ip:port</c>.</summary>
    private static void WriteDebugConfig(Utf8JsonWriter w, AgentRequest r, int httpPort, bool server)
    {
        var node = r.Local.Node;
        w.WriteStartObject("DebugConfig");
        w.WriteBoolean("ACLsEnabled", r.Options.Acl.Enabled);
        w.WriteString("AdvertiseAddrLAN", node.Address);
        w.WriteString("AdvertiseAddrWAN", node.Address);
        w.WriteString("BindAddr", node.Address);
        w.WriteBoolean("Bootstrap", server);
        w.WriteNumber("CheckOutputMaxSize", 4096);
        w.WriteString("CheckUpdateInterval", "5m0s");
        w.WriteStartArray("ClientAddrs");
        w.WriteStringValue("127.0.0.1");
        w.WriteEndArray();
        w.WriteBoolean("ConnectEnabled", true);
        w.WriteString("DataDir", string.Empty);
        w.WriteString("Datacenter", node.Datacenter);
        w.WriteBoolean("DevMode", true);
        w.WriteBoolean("DisableRemoteExec", true);
        w.WriteStartArray("DNSAddrs");
        w.WriteStringValue($"tcp://127.0.0.1:{DevAgentFacts.DnsPort}");
        w.WriteStringValue($"udp://127.0.0.1:{DevAgentFacts.DnsPort}");
        w.WriteEndArray();
        w.WriteNumber("DNSPort", DevAgentFacts.DnsPort);
        w.WriteBoolean("EnableDebug", true);
        w.WriteBoolean("EnableLocalScriptChecks", r.Options.EnableScriptChecks);
        w.WriteBoolean("EnableRemoteScriptChecks", r.Options.EnableScriptChecks);
        w.WriteBoolean("EnableScriptChecks", r.Options.EnableScriptChecks);
        w.WriteStartArray("GRPCAddrs");
        w.WriteStringValue($"tcp://127.0.0.1:{DevAgentFacts.GrpcPort}");
        w.WriteEndArray();
        w.WriteNumber("GRPCPort", DevAgentFacts.GrpcPort);
        w.WriteNumber("GRPCTLSPort", DevAgentFacts.GrpcTlsPort);
        w.WriteStartArray("HTTPAddrs");
        w.WriteStringValue($"tcp://127.0.0.1:{httpPort}");
        w.WriteEndArray();
        w.WriteNumber("HTTPPort", httpPort);
        w.WriteNumber("HTTPSPort", -1);
        w.WriteStartObject("Logging");
        w.WriteString("LogLevel", "DEBUG");
        w.WriteBoolean("LogJSON", false);
        w.WriteEndObject();
        w.WriteString("NodeID", node.Id);
        w.WriteString("NodeName", node.Name);
        w.WriteString("PrimaryDatacenter", r.Wan?.Primary ?? node.Datacenter);
        w.WriteString("Revision", DevAgentFacts.Revision);
        w.WriteString("SegmentName", string.Empty);
        w.WriteNumber("SerfPortLAN", DevAgentFacts.SerfLanPort);
        w.WriteNumber("SerfPortWAN", DevAgentFacts.SerfWanPort);
        w.WriteBoolean("ServerMode", server);
        w.WriteNumber("ServerPort", DevAgentFacts.ServerPort);
        w.WriteNumber("SidecarMaxPort", 21255);
        w.WriteNumber("SidecarMinPort", 21000);
        w.WriteString("Version", ConsulTestAgent.ConsulVersion);
        w.WriteString("VersionPrerelease", string.Empty);
        w.WriteEndObject();
    }

    private static void WriteStats(Utf8JsonWriter w, AgentRequest r, ulong index, MemberCounts counts, (int Services, int Checks, int Ttls, int Monitors) local)
    {
        static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
        var node = r.Local.Node;
        var raftIndex = S((long)index);
        w.WriteStartObject("Stats");
        DevAgentFacts.WriteStringMap(w, "agent",
            ("check_monitors", S(local.Monitors)), ("check_ttls", S(local.Ttls)), ("checks", S(local.Checks)), ("services", S(local.Services)));
        DevAgentFacts.WriteStringMap(w, "build", ("prerelease", string.Empty), ("revision", DevAgentFacts.Revision), ("version", ConsulTestAgent.ConsulVersion), ("version_metadata", string.Empty));
        if (!counts.IsServer)
        {
            DevAgentFacts.WriteStringMap(w, "consul",
                ("acl", r.Options.Acl.Enabled ? "enabled" : "disabled"), ("known_servers", S(counts.AliveServers)), ("server", "false"));
            WriteRuntimeStats(w);
            WriteSerfStats(w, "serf_lan", counts.Lan);
            w.WriteEndObject();
            return;
        }

        DevAgentFacts.WriteStringMap(w, "consul",
            ("acl", r.Options.Acl.Enabled ? "enabled" : "disabled"), ("bootstrap", "true"), ("known_datacenters", "1"),
            ("leader", "true"), ("leader_addr", StatusEndpoints.RaftAddress), ("server", "true"));
        DevAgentFacts.WriteStringMap(w, "raft",
            ("applied_index", raftIndex), ("commit_index", raftIndex), ("fsm_pending", "0"), ("last_contact", "0"),
            ("last_log_index", raftIndex), ("last_log_term", "2"), ("last_snapshot_index", "0"), ("last_snapshot_term", "0"),
            ("latest_configuration", $"[{{Suffrage:Voter ID:{node.Id} Address:{StatusEndpoints.RaftAddress}}}]"),
            ("latest_configuration_index", "0"), ("num_peers", "0"), ("protocol_version", "3"), ("protocol_version_max", "3"),
            ("protocol_version_min", "0"), ("snapshot_version_max", "1"), ("snapshot_version_min", "0"), ("state", "Leader"), ("term", "2"));
        WriteRuntimeStats(w);
        WriteSerfStats(w, "serf_lan", counts.Lan);
        WriteSerfStats(w, "serf_wan", (Members: counts.Servers, Failed: 0, Left: 0));
        w.WriteEndObject();
    }

    private static void WriteRuntimeStats(Utf8JsonWriter w)
    {
        static string S(long value) => value.ToString(CultureInfo.InvariantCulture);
        DevAgentFacts.WriteStringMap(w, "runtime",
            ("arch", DevAgentFacts.GoArch), ("cpu_count", S(Environment.ProcessorCount)), ("goroutines", S(ThreadPool.ThreadCount)),
            ("max_procs", S(Environment.ProcessorCount)), ("os", DevAgentFacts.GoOs), ("version", DevAgentFacts.GoVersion));
    }

    /// <summary>serf's <c>Stats()</c>: <c>members</c> counts every member serf knows, failed and left ones included.</summary>
    private static void WriteSerfStats(Utf8JsonWriter w, string name, (int Members, int Failed, int Left) pool) => DevAgentFacts.WriteStringMap(w, name,
        ("coordinate_resets", "0"), ("encrypted", "false"), ("event_queue", "0"), ("event_time", "1"),
        ("failed", pool.Failed.ToString(CultureInfo.InvariantCulture)), ("health_score", "0"), ("intent_queue", "0"),
        ("left", pool.Left.ToString(CultureInfo.InvariantCulture)), ("member_time", "1"),
        ("members", pool.Members.ToString(CultureInfo.InvariantCulture)), ("query_queue", "0"), ("query_time", "1"));

    /// <summary>What the agent's view of the pool contributes to <c>/v1/agent/self</c>, read under the store lock.</summary>
    private readonly record struct MemberCounts(bool IsServer, int Servers, int AliveServers, (int Members, int Failed, int Left) Lan)
    {
        public MemberCounts(bool isServer, IReadOnlyList<State.SerfMember> members)
            : this(
                isServer,
                members.Count(m => m.IsServer),
                members.Count(m => m.IsServer && m.Status == State.StateStore.MemberAlive),
                (members.Count, members.Count(m => m.Status == State.StateStore.MemberFailed), members.Count(m => m.Status == State.StateStore.MemberLeft)))
        {
        }
    }
}
