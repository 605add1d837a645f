// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>PUT /v1/agent/token/:type</c>: sets one of the agent's ACL tokens (in memory). With ACLs off, 401
/// <c>ACL support disabled</c>; otherwise <c>agent:write</c>, a strict <c>{"Token":"..."}</c> body, and 404
/// <c>Token "x" is unknown</c> for other types. The <c>default</c> token is then used for requests without one.
/// </summary>
internal static class AgentTokenEndpoint
{
    private static readonly Dictionary<string, string> TokenFields = StrictObject.Fields(["Token"]);

    public static void Map(Router router) => router.Add("/v1/agent/token/", ["PUT"], TokenAsync);

    private static async Task TokenAsync(AgentRequest r)
    {
        if (!r.Options.Acl.Enabled)
        {
            await Responses.WriteErrorAsync(r.Context, 401, "ACL support disabled").ConfigureAwait(false);
            return;
        }

        if (await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        string token;
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            token = StrictObject.Read(document.RootElement, "AgentToken", TokenFields).GetString("Token");
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        var kind = r.Parameter switch
        {
            "acl_token" or "default" => "default",
            "acl_agent_token" or "agent" => "agent",
            "acl_agent_master_token" or "agent_master" or "agent_recovery" => "agent_recovery",
            "acl_replication_token" or "replication" => "replication",
            "config_file_service_registration" => "config_file_service_registration",
            _ => null,
        };
        if (kind is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, $"Token \"{r.Parameter}\" is unknown").ConfigureAwait(false);
            return;
        }

        r.Control.SetToken(kind, token);
        Responses.WriteEmpty(r.Context);
    }
}
