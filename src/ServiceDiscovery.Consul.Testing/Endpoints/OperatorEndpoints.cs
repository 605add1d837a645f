// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/operator/*</c> (agent/operator_endpoint.go) as a single dev server answers (raft in
/// <see cref="OperatorRaftEndpoints"/>): one voter that is the leader (in a cluster, agent 0's node), healthy, at
/// raft term 2; autopilot's configuration kept per datacenter; the keyring of an agent without gossip encryption; usage counted from the catalog. Everything needs
/// <c>operator:read</c> (<c>operator:write</c> to change autopilot).
/// </summary>
internal static class OperatorEndpoints
{
    private const ulong LastTerm = 2;

    public static void Map(Router router)
    {
        router.Add("/v1/operator/autopilot/health", ["GET"], r => AutopilotAsync(r, state: false));
        router.Add("/v1/operator/autopilot/state", ["GET"], r => AutopilotAsync(r, state: true));
        router.Add("/v1/operator/autopilot/configuration", ["GET", "PUT"], AutopilotConfigurationEndpoint.HandleAsync);
        router.Add("/v1/operator/keyring", ["GET", "POST", "PUT", "DELETE"], KeyringAsync);
        router.Add("/v1/operator/usage", ["GET"], OperatorUsageEndpoint.HandleAsync);
    }

    /// <summary>The dc check and <c>operator:read</c>/<c>operator:write</c>, as the RPC layer applies them.</summary>
    internal static async Task<bool> RequireOperatorAsync(AgentRequest r, ConsulTestAclAccess level)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return false;
        }

        return await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Operator, level).ConfigureAwait(false) is not null;
    }

    /// <summary><c>/autopilot/health</c> (api.OperatorHealthReply) and <c>/autopilot/state</c> (api.AutopilotState) for one healthy leader.</summary>
    private static async Task AutopilotAsync(AgentRequest r, bool state)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is null || !await RequireOperatorAsync(r, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var server = r.Store.ServerNode.Node;
        var lastIndex = r.Store.Index;
        var stable = ServerClock.StartedAt(r);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("Healthy", true);
            w.WriteNumber("FailureTolerance", 0);
            if (!state)
            {
                w.WriteStartArray("Servers");
                w.WriteStartObject();
                WriteServerHead(w, server.Id, server.Name);
                w.WriteString("SerfStatus", "alive");
                w.WriteString("Version", ConsulTestAgent.ConsulVersion);
                w.WriteBoolean("Leader", true);
                w.WriteString("LastContact", "0s");
                w.WriteNumber("LastTerm", LastTerm);
                w.WriteNumber("LastIndex", lastIndex);
                w.WriteBoolean("Healthy", true);
                w.WriteBoolean("Voter", true);
                w.WriteString("StableSince", ServerClock.GoTime(new DateTimeOffset(stable.UtcTicks - (stable.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero)));
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
                return;
            }

            w.WriteNumber("OptimisticFailureTolerance", 0);
            w.WriteStartObject("Servers");
            w.WriteStartObject(server.Id);
            WriteServerHead(w, server.Id, server.Name);
            w.WriteString("NodeStatus", "alive");
            w.WriteString("Version", ConsulTestAgent.ConsulVersion);
            w.WriteString("LastContact", "0s");
            w.WriteNumber("LastTerm", LastTerm);
            w.WriteNumber("LastIndex", lastIndex);
            w.WriteBoolean("Healthy", true);
            w.WriteString("StableSince", ServerClock.GoTime(stable));
            w.WriteBoolean("ReadReplica", false);
            w.WriteString("Status", "leader");
            w.WriteStartObject("Meta");
            foreach (var (key, value) in server.NodeMeta.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteString("NodeType", "voter");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("Leader", server.Id);
            w.WriteStartArray("Voters");
            w.WriteStringValue(server.Id);
            w.WriteEndArray();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteServerHead(Utf8JsonWriter w, string id, string name)
    {
        w.WriteString("ID", id);
        w.WriteString("Name", name);
        w.WriteString("Address", StatusEndpoints.RaftAddress);
    }

    /// <summary>
    /// A dev agent has no gossip key: serf answers every keyring query with an error, and Consul reports the WAN
    /// pool's then the LAN pool's as a go-multierror list (500). Writes decode the body first (400 on bad JSON).
    /// </summary>
    private static async Task KeyringAsync(AgentRequest r)
    {
        if (r.Method != "GET")
        {
            try
            {
                var body = await r.ReadBodyAsync().ConfigureAwait(false);
                using var document = JsonBody.Parse(body);
            }
            catch (JsonDecodeException ex)
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
                return;
            }
        }

        var localOnly = r.Query.Get("local-only");
        if (localOnly.Length > 0)
        {
            if (!GoQuery.TryParseGoBool(localOnly, out var local))
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Error parsing local-only: strconv.ParseBool: parsing \"{localOnly}\": invalid syntax").ConfigureAwait(false);
                return;
            }

            if (local && r.Method != "GET")
            {
                await Responses.WriteErrorAsync(r.Context, 400, "Invalid use of local-only: local-only can only be set for list requests").ConfigureAwait(false);
                return;
            }
        }

        var message = r.Method == "GET" ? "Keyring is empty (encryption not enabled)" : "No keyring to modify (encryption not enabled)";
        var node = r.Store.ServerNode.Node.Name;
        var dc = r.Options.Datacenter;
        await Responses.WriteErrorAsync(r.Context, 500,
            "4 errors occurred:\n"
            + "\t* WAN error: 0/1 nodes reported success\n"
            + $"\t* {node}.{dc}: {message}\n"
            + $"\t* {dc} (LAN) error: 0/1 nodes reported success\n"
            + $"\t* {node}: {message}\n\n").ConfigureAwait(false);
    }
}
