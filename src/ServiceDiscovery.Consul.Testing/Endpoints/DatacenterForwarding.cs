// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>?dc=</c> (agent/consul/rpc.go <c>forwardDC</c>): a request naming another datacenter is sent whole over the WAN to
/// a server there and answered from that datacenter's state, with its index and headers. An unknown datacenter has
/// no path; a known one whose servers cannot be reached has none reachable. Both are 500 with Consul's text, which a
/// client agent (it forwards to its server over RPC first) prefixes with <c>rpc error making call: </c>.
/// </summary>
internal static class DatacenterForwarding
{
    /// <summary>structs.ErrNoDCPath.</summary>
    public const string NoPath = "No path to datacenter";

    /// <summary>structs.ErrDCNotAvailable (PR #6399).</summary>
    public const string NoServerReachable = "Remote DC has no server currently reachable";

    /// <summary>What a client agent puts before an error its server's RPC returned (agent/pool).</summary>
    public const string ClientPrefix = "rpc error making call: ";

    /// <summary>
    /// Routes the request to <paramref name="datacenter"/> (empty: the agent's own). Returns false after writing the
    /// 500 when there is no way there; waits the datacenter's WAN latency before a forwarded request goes on.
    /// </summary>
    public static async Task<bool> RouteAsync(AgentRequest r, string datacenter)
    {
        if (datacenter.Length == 0 || datacenter == r.Datacenter)
        {
            return true;
        }

        var target = r.Wan?.Find(datacenter);
        var error = target is null ? NoPath : !target.Reachable ? NoServerReachable : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, ErrorText(r, error)).ConfigureAwait(false);
            return false;
        }

        if (target!.Latency > TimeSpan.Zero)
        {
            // A real-time fault hook, like ConsulTestAgent.Latency: it delays the wire, not the agent's clock.
            await Task.Delay(target.Latency, TimeProvider.System, r.Aborted).ConfigureAwait(false);
        }

        r.ForwardTo(target);
        return true;
    }

    /// <summary>The error as the receiving agent reports it: prefixed when it is a client agent.</summary>
    public static string ErrorText(AgentRequest r, string error)
    {
        bool isServer;
        lock (r.Store.Sync)
        {
            isServer = r.Store.IsServer(r.Local.Node.Name);
        }

        return isServer ? error : ClientPrefix + error;
    }
}
