// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Catalog reads (<c>/v1/catalog/*</c>): services and their instances regardless of health. See docs/consul-http-api.md §7.</summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulCatalogApi : IConsulApi
{
    /// <summary><c>GET /v1/catalog/services</c>: service name → deduplicated tags; blocks on the services table's index (docs/consul-http-api.md §20).</summary>
    Task<QueryResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>> GetCatalogServicesAsync(QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The same query as <see cref="GetCatalogServicesAsync"/>, answered as a <see cref="CatalogServicesDigest"/> per
    /// name instead of the tags: what a datacenter-wide watch needs to tell which names changed (docs/consul-http-api.md §20).
    /// </summary>
    async Task<QueryResult<Dictionary<string, ulong>>> GetCatalogServicesDigestAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        var services = await GetCatalogServicesAsync(options, cancellationToken).ConfigureAwait(false);
        return new QueryResult<Dictionary<string, ulong>>(CatalogServicesDigest.Of(services.Value), services.LastIndex, services.KnownLeader, services.LastContact)
        {
            ResultsFilteredByAcls = services.ResultsFilteredByAcls,
        };
    }

    /// <summary><c>GET /v1/catalog/service/{service}[?tag=..]</c>.</summary>
    Task<QueryResult<IReadOnlyList<CatalogService>>> GetCatalogServiceAsync(string service, IReadOnlyList<string>? tags, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /v1/catalog/datacenters</c>: every known datacenter, the agent's own first, the others by estimated
    /// round-trip time (docs/consul-http-api.md §21).
    /// </summary>
    Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken);
}
