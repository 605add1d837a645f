// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>The parts of <c>GET /v1/agent/self</c> we read (docs/consul-http-api.md §13).</summary>
internal sealed record AgentSelf(AgentSelfConfig Config, AgentSelfMember? Member);

/// <summary>`Config` of /agent/self.</summary>
internal sealed record AgentSelfConfig
{
    public string Datacenter { get; init; } = "";
    public string NodeName { get; init; } = "";
    public string NodeID { get; init; } = "";
    public string Version { get; init; } = "";
    public bool Server { get; init; }
}

/// <summary>`Member` of /agent/self.</summary>
internal sealed record AgentSelfMember
{
    public string Name { get; init; } = "";
    public string Addr { get; init; } = "";
    public int Port { get; init; }
}
