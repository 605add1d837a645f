// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary><c>PUT /v1/agent/maintenance?enable=&amp;reason=</c>: node maintenance (§3), the <c>_node_maintenance</c> check.</summary>
internal static class AgentMaintenanceEndpoint
{
    public static void Map(Router router) => router.Add("/v1/agent/maintenance", ["PUT"], MaintenanceAsync);

    private static async Task MaintenanceAsync(AgentRequest r)
    {
        if (!r.Query.Has("enable"))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing value for enable").ConfigureAwait(false);
            return;
        }

        var raw = r.Query.Get("enable");
        if (!GoQuery.TryParseGoBool(raw, out var enable))
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid value for enable: \"{raw}\"").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Node, r.Local.Node.Name, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        r.Local.SetNodeMaintenance(enable, r.Query.Get("reason"));
        Responses.WriteEmpty(r.Context);
    }
}
