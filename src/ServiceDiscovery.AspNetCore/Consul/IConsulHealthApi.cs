// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Health reads (<c>/v1/health/*</c>): a service's instances with their checks. See docs/consul-http-api.md §6 and §8.</summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulHealthApi : IConsulApi
{
    /// <summary>
    /// <c>GET /v1/health/service/{service}</c> with <c>passing</c>, repeated <c>tag</c>, <c>near</c> from
    /// <paramref name="query"/> and <c>index</c>/<c>wait</c>/consistency/<c>dc</c>/<c>filter</c>/token from <paramref name="options"/>.
    /// </summary>
    Task<QueryResult<IReadOnlyList<ServiceEntry>>> GetHealthServiceAsync(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /v1/health/state/{state}</c> (<c>any</c>, <c>passing</c>, <c>warning</c> or <c>critical</c>): every check
    /// in the datacenter in that state, node checks included; blocks on the checks table's index (docs/consul-http-api.md §20).
    /// </summary>
    Task<QueryResult<IReadOnlyList<HealthCheck>>> GetHealthStateAsync(string state, QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// The same query as <see cref="GetHealthStateAsync"/>, answered as a <see cref="HealthStateDigest"/> per service
    /// name instead of the checks: what a datacenter-wide watch needs to tell which names changed, read without
    /// decoding every check (docs/consul-http-api.md §20).
    /// </summary>
    async Task<QueryResult<Dictionary<string, ulong>>> GetHealthStateDigestAsync(string state, QueryOptions options, CancellationToken cancellationToken)
    {
        var checks = await GetHealthStateAsync(state, options, cancellationToken).ConfigureAwait(false);
        return new QueryResult<Dictionary<string, ulong>>(HealthStateDigest.Of(checks.Value), checks.LastIndex, checks.KnownLeader, checks.LastContact)
        {
            ResultsFilteredByAcls = checks.ResultsFilteredByAcls,
        };
    }
}
