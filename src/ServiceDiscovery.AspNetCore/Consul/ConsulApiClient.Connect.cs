// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulConnectApi
{
    /// <inheritdoc />
    public async Task<QueryResult<ConnectRoots>> GetConnectRootsAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string path = "v1/agent/connect/ca/roots";
        var call = Read("/" + path, path, new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ConnectRoots, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Value!);
    }

    /// <inheritdoc />
    public async Task<QueryResult<ConnectLeafCertificate>> GetConnectLeafAsync(string service, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/agent/connect/ca/leaf/{service}", "v1/agent/connect/ca/leaf/" + ConsulPath.Segment(service), new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ConnectLeafCertificate, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Value!);
    }

    /// <inheritdoc />
    public async Task<ConnectAuthorizeResult> AuthorizeConnectAsync(ConnectAuthorizeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string path = "v1/agent/connect/authorize";
        var call = new ConsulCall(HttpMethod.Post, "/" + path, "/" + path, path)
        {
            Content = Json(request, ConsulJsonContext.Default.ConnectAuthorizeRequest),
        };
        var response = await SendAsync(call, ConsulJsonContext.Default.ConnectAuthorizeResult, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }
}
