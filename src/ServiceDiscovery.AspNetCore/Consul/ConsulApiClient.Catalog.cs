// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulCatalogApi
{
    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>> GetCatalogServicesAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string path = "v1/catalog/services";
        var call = Read("/" + path, path, new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringListString, cancellationToken).ConfigureAwait(false);
        var services = new Dictionary<string, IReadOnlyList<string>>(response.Value!.Count, StringComparer.Ordinal);
        foreach (var (name, tags) in response.Value)
        {
            services[name] = tags ?? [];
        }

        return response.ToResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(services);
    }

    /// <inheritdoc />
    public async Task<QueryResult<Dictionary<string, ulong>>> GetCatalogServicesDigestAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string path = "v1/catalog/services";
        var call = Read("/" + path, path, new ConsulQuery(), options) with { MaxResponseBytes = AnswerDigest.MaxBodyBytes };
        var response = await SendCoreAsync(call, CatalogServicesDigest.ReadAsync, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Value!);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<CatalogService>>> GetCatalogServiceAsync(string service, IReadOnlyList<string>? tags, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(options);
        var path = "v1/catalog/service/" + ConsulPath.Segment(service);
        var queryString = new ConsulQuery();
        foreach (var tag in tags ?? [])
        {
            queryString.Add("tag", tag);
        }

        var call = Read("/v1/catalog/service/{service}", path, queryString, options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListCatalogService, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<CatalogService>>(response.Value!);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken)
    {
        // Not a blocking endpoint: no index, no dc (every server knows every datacenter).
        const string path = "v1/catalog/datacenters";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, path);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListString, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }
}
