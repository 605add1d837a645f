// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The records a server node has in the catalog before anything registers: the <c>consul</c> service and <c>serfHealth</c>.</summary>
internal static class BuiltInRecords
{
    /// <summary>The ID of the check serf's health gives every agent's node.</summary>
    public const string SerfHealthId = "serfHealth";

    public static ServiceRecord ConsulService(ulong index) => new()
    {
        Id = "consul",
        Name = "consul",
        Port = 8300,
        Meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["non_voter"] = "false",
            ["raft_version"] = "3",
            ["read_replica"] = "false",
            ["serf_protocol_current"] = "2",
            ["serf_protocol_max"] = "5",
            ["serf_protocol_min"] = "1",
            ["version"] = ConsulTestAgent.ConsulVersion,
        },
        CreateIndex = index,
        ModifyIndex = index,
    };

    public static CheckRecord SerfHealth(ulong index) => new()
    {
        CheckId = SerfHealthId,
        Name = "Serf Health Status",
        Status = "passing",
        Output = "Agent alive and reachable",
        CatalogStatus = "passing",
        CatalogOutput = "Agent alive and reachable",
        CreateIndex = index,
        ModifyIndex = index,
    };
}
