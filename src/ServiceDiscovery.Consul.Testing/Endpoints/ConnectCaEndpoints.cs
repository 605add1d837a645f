// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The server's CA endpoints (agent/connect_ca_endpoint.go): <c>GET /v1/connect/ca/roots</c> (blocking, JSON or
/// <c>?pem=true</c>) and <c>/v1/connect/ca/configuration</c> (GET and PUT, see <see cref="CaConfigurationEndpoint"/>).
/// With Connect disabled they answer 500 <c>Connect must be enabled in order to use this endpoint</c>.
/// </summary>
internal static class ConnectCaEndpoints
{
    public const string ConnectDisabled = "Connect must be enabled in order to use this endpoint";

    public static void Map(Router router)
    {
        router.Add("/v1/connect/ca/roots", ["GET"], RootsAsync);
        router.Add("/v1/connect/ca/configuration", ["GET", "PUT"], r => r.Method == "GET" ? CaConfigurationEndpoint.GetAsync(r) : CaConfigurationEndpoint.PutAsync(r));
    }

    /// <summary>Writes Consul's 500 and returns false when Connect is disabled.</summary>
    public static async Task<bool> RequireEnabledAsync(AgentRequest r)
    {
        if (r.Options.Connect.Enabled)
        {
            return true;
        }

        await Responses.WriteErrorAsync(r.Context, 500, ConnectDisabled).ConfigureAwait(false);
        return false;
    }

    /// <summary>Runs a blocking read of the roots; the result is a snapshot taken under the store's lock.</summary>
    public static Task<(JsonObject Json, string Pem, ulong Index)> ReadRootsAsync(AgentRequest r, BlockingQuery blocking) =>
        blocking.RunAsync(r, () =>
        {
            var ca = r.Store.ConnectCa(r.Options.Connect);
            return (ca.RootsIndex, (ConnectJson.Roots(ca), ConnectJson.RootsPem(ca), ca.RootsIndex));
        });

    private static async Task RootsAsync(AgentRequest r)
    {
        if (!r.Query.TryGetBool("pem", out var pem))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "The 'pem' query parameter must be a boolean value").ConfigureAwait(false);
            return;
        }

        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || !await RequireEnabledAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var roots = await ReadRootsAsync(r, blocking).ConfigureAwait(false);
        if (pem)
        {
            await Responses.WriteTextAsync(r.Context, 200, roots.Pem, "application/pem-certificate-chain").ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => roots.Json.WriteTo(w)).ConfigureAwait(false);
    }
}
