// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Connect's CA and authorization through the local agent (<c>/v1/agent/connect/*</c>, docs/consul-http-api.md,
/// "Connect"). Errors: <see cref="ConsulException"/> for non-200 answers (a 500 <c>Connect must be enabled in order to
/// use this endpoint</c> when the agent runs without Connect) and transport failures.
/// </summary>
internal interface IConsulConnectApi : IConsulApi
{
    /// <summary><c>GET /v1/agent/connect/ca/roots</c>; blocks when <see cref="QueryOptions.Index"/> is set.</summary>
    Task<QueryResult<ConnectRoots>> GetConnectRootsAsync(QueryOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// <c>GET /v1/agent/connect/ca/leaf/{service}</c>; blocks when <see cref="QueryOptions.Index"/> is set, until the
    /// agent renews the certificate or the wait ends (then the same certificate again).
    /// </summary>
    Task<QueryResult<ConnectLeafCertificate>> GetConnectLeafAsync(string service, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>POST /v1/agent/connect/authorize</c>: may the caller named by the certificate URI call <see cref="ConnectAuthorizeRequest.Target"/>?</summary>
    Task<ConnectAuthorizeResult> AuthorizeConnectAsync(ConnectAuthorizeRequest request, CancellationToken cancellationToken);
}
