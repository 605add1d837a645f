// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary><c>GET /v1/agent/self</c> (§13): the parts clients read (Config, Member, Meta).</summary>
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
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("Config");
            w.WriteString("Datacenter", node.Datacenter);
            w.WriteString("PrimaryDatacenter", node.Datacenter);
            w.WriteString("NodeName", node.Name);
            w.WriteString("NodeID", node.Id);
            w.WriteString("Revision", "testagent");
            w.WriteBoolean("Server", true);
            w.WriteString("Version", ConsulTestAgent.ConsulVersion);
            w.WriteString("BuildDate", "2025-01-01T00:00:00Z");
            w.WriteEndObject();
            w.WriteStartObject("DebugConfig");
            w.WriteBoolean("DevMode", true);
            w.WriteBoolean("ACLsEnabled", r.Options.Acl.Enabled);
            w.WriteEndObject();
            w.WriteNull("Coord");
            w.WriteStartObject("Member");
            w.WriteString("Name", node.Name);
            w.WriteString("Addr", node.Address);
            w.WriteNumber("Port", 8301);
            w.WriteStartObject("Tags");
            w.WriteString("dc", node.Datacenter);
            w.WriteString("id", node.Id);
            w.WriteString("port", "8300");
            w.WriteString("role", "consul");
            w.WriteString("vsn", "2");
            w.WriteEndObject();
            w.WriteNumber("Status", 1);
            w.WriteNumber("ProtocolMin", 1);
            w.WriteNumber("ProtocolMax", 5);
            w.WriteNumber("ProtocolCur", 2);
            w.WriteNumber("DelegateMin", 2);
            w.WriteNumber("DelegateMax", 5);
            w.WriteNumber("DelegateCur", 4);
            w.WriteEndObject();
            w.WriteStartObject("Stats");
            w.WriteEndObject();
            w.WriteStartObject("Meta");
            w.WriteString("consul-network-segment", string.Empty);
            w.WriteString("consul-version", ConsulTestAgent.ConsulVersion);
            w.WriteEndObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
