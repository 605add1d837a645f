// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/operator/raft/*</c> (agent/operator_endpoint.go, agent/consul/operator_raft_endpoint.go, the operator gRPC
/// service) as a single dev server answers: its raft configuration holds exactly one voter, itself, which leads
/// (in a cluster, agent 0's node; the other agents are clients, not raft peers). So a peer removal finds the
/// server and raft refuses to leave no voter, and a leadership transfer has no other server to go to; unknown ids
/// and addresses get Consul's texts. Reads need <c>operator:read</c>, changes <c>operator:write</c>.
/// </summary>
internal static class OperatorRaftEndpoints
{
    /// <summary>The raft log index of the configuration a dev server bootstraps with: the first entry.</summary>
    private const ulong ConfigurationIndex = 1;

    public static void Map(Router router)
    {
        router.Add("/v1/operator/raft/configuration", ["GET"], ConfigurationAsync);
        router.Add("/v1/operator/raft/peer", ["DELETE"], RemovePeerAsync);
        router.Add("/v1/operator/raft/transfer-leader", ["POST"], TransferLeaderAsync);
    }

    private static async Task ConfigurationAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is null
            || !await OperatorEndpoints.RequireOperatorAsync(r, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var server = r.Store.ServerNode.Node;
        var lastIndex = r.Store.Index;
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("Servers");
            w.WriteStartObject();
            w.WriteString("ID", server.Id);
            w.WriteString("Node", server.Name);
            w.WriteString("Address", StatusEndpoints.RaftAddress);
            w.WriteBoolean("Leader", true);
            w.WriteString("ProtocolVersion", "3");
            w.WriteBoolean("Voter", true);
            w.WriteNumber("LastIndex", lastIndex);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteNumber("Index", ConfigurationIndex);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>DELETE ?id=</c> or <c>?address=</c>: exactly one of them (400 before any permission check), then the dc and
    /// <c>operator:write</c>, then the lookup in the configuration (500 when absent), then raft's own refusal to
    /// remove the last voter, reported with the configuration it would have left (<c>{[]}</c>).
    /// </summary>
    private static async Task RemovePeerAsync(AgentRequest r)
    {
        var hasId = r.Query.Has("id");
        var hasAddress = r.Query.Has("address");
        if (hasId == hasAddress)
        {
            await Responses.WriteErrorAsync(r.Context, 400, hasId
                ? "Must specify only one of ?id or ?address"
                : "Must specify either ?id with the server's ID or ?address with IP:port of peer to remove").ConfigureAwait(false);
            return;
        }

        if (!await OperatorEndpoints.RequireOperatorAsync(r, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        var server = r.Store.ServerNode.Node;
        var found = hasId ? r.Query.Get("id") == server.Id : r.Query.Get("address") == StatusEndpoints.RaftAddress;
        if (!found)
        {
            await Responses.WriteErrorAsync(r.Context, 500, hasId
                ? $"id {GoString.Quote(r.Query.Get("id"))} was not found in the Raft configuration"
                : $"address {GoString.Quote(r.Query.Get("address"))} was not found in the Raft configuration").ConfigureAwait(false);
            return;
        }

        await Responses.WriteErrorAsync(r.Context, 500, "need at least one voter in configuration: {[]}").ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST ?id=</c>: <c>operator:write</c> (the dc is not read), then the target: an id no server has is unknown
    /// to the server lookup, the leader's own id is refused by raft, and without an id raft finds no other voter.
    /// Consul answers each failure with 500 and the bare error text.
    /// </summary>
    private static async Task TransferLeaderAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r, namespaces: false).ConfigureAwait(false)
            || await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Operator, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        var id = r.Query.Get("id");
        var error = id.Length == 0 ? "cannot find peer"
            : id == r.Store.ServerNode.Node.Id ? "cannot transfer leadership to itself"
            : $"Could not find address for server id {id}";
        await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
    }
}
