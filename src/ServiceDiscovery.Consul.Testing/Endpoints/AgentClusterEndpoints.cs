// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The serf and lifecycle endpoints of a single-server <c>-dev</c> agent: members (the agent alone, on the LAN or
/// WAN pool), join (only itself can be joined), leave (answers, then stops listening), force-leave (only its own
/// name is a member; the leave intent is refuted), reload (nothing to reload) and version.
/// </summary>
internal static class AgentClusterEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/agent/members", ["GET"], MembersAsync);
        router.Add("/v1/agent/join/", ["PUT"], JoinAsync);
        router.Add("/v1/agent/leave", ["PUT"], LeaveAsync);
        router.Add("/v1/agent/force-leave/", ["PUT"], ForceLeaveAsync);
        router.Add("/v1/agent/reload", ["PUT"], ReloadAsync);
        router.Add("/v1/agent/version", ["GET"], VersionAsync);
    }

    /// <summary>Authorizes <paramref name="resource"/> at <paramref name="level"/> on the agent's node; writes the 403 otherwise.</summary>
    internal static async Task<Authorizer?> RequireAgentAsync(AgentRequest r, ConsulTestAclResource resource, ConsulTestAclAccess level)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return null;
        }

        var name = resource == ConsulTestAclResource.Operator ? string.Empty : r.Local.Node.Name;
        return await r.RequireAsync(authorizer, resource, name, level).ConfigureAwait(false) ? authorizer : null;
    }

    private static async Task MembersAsync(AgentRequest r)
    {
        var wan = r.Query.Get("wan").Length > 0;
        var segment = r.Query.Get("segment");
        if (wan && segment is not ("" or "_all"))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Cannot provide a segment with wan=true").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        if (!wan && segment is not ("" or "_all"))
        {
            // CE has only the default segment: a named one has no members.
            await Responses.WriteJsonAsync(r, w =>
            {
                w.WriteStartArray();
                w.WriteEndArray();
            }).ConfigureAwait(false);
            return;
        }

        // Every agent sees the whole LAN pool; the WAN pool holds the servers only, and a client agent has none (null).
        List<SerfMember> members;
        bool isServer;
        lock (r.Store.Sync)
        {
            isServer = r.Store.IsServer(r.Local.Node.Name);
            members = [.. r.Store.Members.Where(m => !wan || m.IsServer).Select(m => m with { })];
        }

        if (wan && isServer && r.Wan is { } federation)
        {
            members = federation.Members();
        }

        var visible = members.Where(m => authorizer.Allows(ConsulTestAclResource.Node, m.Node.Name, ConsulTestAclAccess.Read)).ToList();
        if (authorizer.HasToken)
        {
            r.Response.Headers["X-Consul-Results-Filtered-By-ACLs"] = visible.Count == members.Count ? "false" : "true";
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            if (wan && !isServer)
            {
                w.WriteNullValue();
                return;
            }

            w.WriteStartArray();
            foreach (var m in visible)
            {
                DevAgentFacts.WriteMember(w, m.Node, wan, r.Options.Acl.Enabled, m.IsServer, m.Status);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task JoinAsync(AgentRequest r)
    {
        if (await RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        var wan = r.Query.Get("wan").Length > 0;
        var port = wan ? DevAgentFacts.SerfWanPort : DevAgentFacts.SerfLanPort;
        var address = r.Parameter;
        var (host, givenPort) = SplitHostPort(address, port);
        if (IsSelf(host) && givenPort == port)
        {
            Responses.WriteEmpty(r.Context);
            return;
        }

        // memberlist's multierror; nothing else listens for serf here.
        var target = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{givenPort}" : $"{host}:{givenPort}";
        await Responses.WriteErrorAsync(r.Context, 500,
            $"1 error occurred:\n\t* Failed to join {target}: dial tcp {target}: connect: connection refused\n\n").ConfigureAwait(false);
    }

    private static async Task LeaveAsync(AgentRequest r)
    {
        if (await RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        // Consul leaves the cluster, answers, and shuts the agent down. The test agent stops listening once the
        // answer is sent (its state is kept; StartAcceptingAsync brings it back).
        if (r.Control.Leave is { } leave)
        {
            r.Response.OnCompleted(() =>
            {
                _ = Task.Run(leave);
                return Task.CompletedTask;
            });
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task ForceLeaveAsync(AgentRequest r)
    {
        if (await RequireAgentAsync(r, ConsulTestAclResource.Operator, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        // Agent.ForceLeave first checks membership; for the agent itself serf's leave intent is refuted (the only
        // member stays alive), so ?prune changes nothing either.
        var node = r.Local.Node;
        var member = r.Query.Has("wan") ? $"{node.Name}.{node.Datacenter}" : node.Name;
        if (r.Parameter != member)
        {
            await Responses.WriteErrorAsync(r.Context, 500, $"agent: No node found with name '{r.Parameter}'").ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task ReloadAsync(AgentRequest r)
    {
        if (await RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    private static Task VersionAsync(AgentRequest r) => Responses.WriteJsonAsync(r, w =>
    {
        w.WriteStartObject();
        w.WriteString("SHA", DevAgentFacts.Revision);
        w.WriteString("BuildDate", DevAgentFacts.BuildDate);
        w.WriteString("HumanVersion", ConsulTestAgent.ConsulVersion);
        w.WriteString("FIPS", string.Empty);
        w.WriteEndObject();
    });

    private static (string Host, int Port) SplitHostPort(string address, int defaultPort)
    {
        if (address.StartsWith('[') && address.IndexOf(']', StringComparison.Ordinal) is var end and > 0)
        {
            var rest = address[(end + 1)..];
            return (address[1..end], rest.StartsWith(':') && int.TryParse(rest[1..], out var p6) ? p6 : defaultPort);
        }

        var colon = address.LastIndexOf(':');
        if (colon > 0 && address.IndexOf(':', StringComparison.Ordinal) == colon && int.TryParse(address[(colon + 1)..], out var p))
        {
            return (address[..colon], p);
        }

        return (address, defaultPort);
    }

    private static bool IsSelf(string host) =>
        host is "localhost" || (IPAddress.TryParse(host, out var ip) && (IPAddress.IsLoopback(ip) || ip.Equals(IPAddress.Any)));
}
