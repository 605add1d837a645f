// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/catalog/gateway-services/:gateway</c> (agent/catalog_endpoint.go <c>CatalogGatewayServices</c>,
/// agent/consul/catalog_endpoint.go <c>GatewayServices</c>): the services an <c>ingress-gateway</c> or
/// <c>terminating-gateway</c> entry links to the gateway (see <see cref="GatewayServiceTable"/>), blocking on the
/// gateway-services table's index. The token needs <c>service:read</c> on the gateway; services it may not read are
/// left out (<c>X-Consul-Results-Filtered-By-ACLs</c>). A name no entry configures answers <c>[]</c>, as Consul only
/// logs a warning for it.
/// </summary>
internal static class GatewayServicesEndpoint
{
    public static void Map(Router router) => router.Add("/v1/catalog/gateway-services/", ["GET"], GatewayServicesAsync);

    private static async Task GatewayServicesAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var gateway = r.Parameter;
        if (gateway.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing gateway name").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, AclResourceKind.Service, gateway, AclAccessLevel.Read).ConfigureAwait(false))
        {
            return;
        }

        var (rows, filtered) = await blocking.RunAsync(r, () =>
        {
            var table = GatewayServiceTable.For(r.Store);
            var linked = table.Refresh(r.Store).Where(row => row.Gateway == gateway).ToList();
            var readable = linked.Where(row => authorizer.Allows(AclResourceKind.Service, row.Service, AclAccessLevel.Read)).ToList();
            return (table.Index, (readable, readable.Count < linked.Count));
        }).ConfigureAwait(false);

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var row in rows)
            {
                Write(w, row);
            }

            w.WriteEndArray();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    /// <summary>structs.GatewayService as JSON: names as <c>{"Name":...}</c> (CE has no namespace), empty fields left out.</summary>
    private static void Write(Utf8JsonWriter w, GatewayService row)
    {
        w.WriteStartObject();
        w.WriteStartObject("Gateway");
        w.WriteString("Name", row.Gateway);
        w.WriteEndObject();
        w.WriteStartObject("Service");
        w.WriteString("Name", row.Service);
        w.WriteEndObject();
        w.WriteString("GatewayKind", row.GatewayKind);
        if (row.Port != 0)
        {
            w.WriteNumber("Port", row.Port);
        }

        WriteIfSet(w, "Protocol", row.Protocol);
        if (row.Hosts.Count > 0)
        {
            w.WriteStartArray("Hosts");
            foreach (var host in row.Hosts)
            {
                w.WriteStringValue(host);
            }

            w.WriteEndArray();
        }

        WriteIfSet(w, "CAFile", row.CaFile);
        WriteIfSet(w, "CertFile", row.CertFile);
        WriteIfSet(w, "KeyFile", row.KeyFile);
        WriteIfSet(w, "SNI", row.Sni);
        if (row.FromWildcard)
        {
            w.WriteBoolean("FromWildcard", true);
        }

        WriteIfSet(w, "ServiceKind", row.ServiceKind);
        w.WriteNumber("CreateIndex", row.CreateIndex);
        w.WriteNumber("ModifyIndex", row.ModifyIndex);
        w.WriteEndObject();
    }

    private static void WriteIfSet(Utf8JsonWriter w, string name, string value)
    {
        if (value.Length > 0)
        {
            w.WriteString(name, value);
        }
    }
}
