// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Snapshots;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/snapshot</c> and <c>PUT /v1/snapshot</c> (agent/snapshot_endpoint.go, agent/consul/snapshot_endpoint.go):
/// the datacenter check, then the one permission snapshots have (<c>acl:write</c>: a snapshot holds every token), then
/// a save answered with the archive and the index it was taken at, or a restore (refused with <c>?stale</c>) answered
/// with an empty 200. Errors are 500 with Consul's texts (<see cref="SnapshotArchive"/>).
/// </summary>
internal static class SnapshotEndpoint
{
    public static void Map(Router router) => router.Add("/v1/snapshot", ["GET", "PUT"], HandleAsync);

    private static async Task HandleAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        if (!authorizer.Allows(AclScalarKind.Acl, AclAccessLevel.Write))
        {
            await Responses.WriteErrorAsync(r.Context, 403, authorizer.DeniedUnnamed("acl:write")).ConfigureAwait(false);
            return;
        }

        var stale = r.Query.Has("stale");
        if (r.Method == "GET")
        {
            var (index, archive) = AgentSnapshot.Save(r.Store, r.Options);
            var headers = r.Response.Headers;
            headers["X-Consul-Index"] = Math.Max(1, index).ToString(CultureInfo.InvariantCulture);
            headers["X-Consul-KnownLeader"] = "true";
            headers["X-Consul-LastContact"] = "0";

            // Consul streams the archive without a type; Go's server sniffs the gzip magic.
            await Responses.WriteBytesAsync(r, 200, archive, "application/x-gzip").ConfigureAwait(false);
            return;
        }

        if (stale)
        {
            await Responses.WriteErrorAsync(r.Context, 500, "stale not allowed for restore").ConfigureAwait(false);
            return;
        }

        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        if (AgentSnapshot.Restore(r.Store, body) is { } error)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }
}
