// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary><c>/v1/status/leader</c> and <c>/v1/status/peers</c> (§13): a dev agent is its own leader on 127.0.0.1:8300.</summary>
internal static class StatusEndpoints
{
    public const string RaftAddress = "127.0.0.1:8300";

    public static void Map(Router router)
    {
        router.Add("/v1/status/leader", ["GET"], r => Responses.WriteJsonAsync(r, w => w.WriteStringValue(RaftAddress)));
        router.Add("/v1/status/peers", ["GET"], r => Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            w.WriteStringValue(RaftAddress);
            w.WriteEndArray();
        }));
    }
}
