// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulHealthApi
{
    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<ServiceEntry>>> GetHealthServiceAsync(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        var path = "v1/health/service/" + ConsulPath.Segment(service);
        var queryString = new ConsulQuery();
        foreach (var tag in query.Tags)
        {
            queryString.Add("tag", tag);
        }

        queryString.Add("passing", query.PassingOnly ? "1" : null).Add("near", NullIfEmpty(query.Near));
        var call = Read("/v1/health/service/{service}", path, queryString, options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListServiceEntry, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<ServiceEntry>>(response.Value!);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<HealthCheck>>> GetHealthStateAsync(string state, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/health/state/{state}", "v1/health/state/" + ConsulPath.Segment(state), new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListHealthCheck, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<HealthCheck>>(response.Value!);
    }

    /// <inheritdoc />
    public async Task<QueryResult<Dictionary<string, ulong>>> GetHealthStateDigestAsync(string state, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(state);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/health/state/{state}", "v1/health/state/" + ConsulPath.Segment(state), new ConsulQuery(), options) with
        {
            MaxResponseBytes = AnswerDigest.MaxBodyBytes,
        };
        var response = await SendCoreAsync(call, HealthStateDigest.ReadAsync, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Value!);
    }
}
