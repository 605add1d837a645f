// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using Microsoft.AspNetCore.Http.Features;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/agent/monitor?loglevel=&amp;logjson</c>: streams the agent's own log lines from the moment of the request
/// (hclog text, or JSON lines with <c>?logjson</c>) until the client disconnects. Needs <c>agent:read</c>.
/// </summary>
internal static class AgentMonitorEndpoint
{
    public static void Map(Router router) => router.Add("/v1/agent/monitor", ["GET"], MonitorAsync);

    private static async Task MonitorAsync(AgentRequest r)
    {
        if (await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        var levelName = r.Query.Get("loglevel") is { Length: > 0 } given ? given : "INFO";
        if (AgentLogMonitor.ParseLevel(levelName) is not { } level)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Unknown log level: {levelName}").ConfigureAwait(false);
            return;
        }

        using var subscription = r.Control.Log.Subscribe(level, r.Query.Has("logjson"));
        r.Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        r.Response.StatusCode = 200;
        await r.Response.StartAsync(r.Aborted).ConfigureAwait(false);
        await r.Response.Body.FlushAsync(r.Aborted).ConfigureAwait(false);
        try
        {
            await foreach (var line in subscription.Lines.ReadAllAsync(r.Aborted).ConfigureAwait(false))
            {
                await r.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), r.Aborted).ConfigureAwait(false);
                await r.Response.Body.FlushAsync(r.Aborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (r.Aborted.IsCancellationRequested)
        {
            // The client went away, or the agent stopped: the stream ends.
        }
    }
}
