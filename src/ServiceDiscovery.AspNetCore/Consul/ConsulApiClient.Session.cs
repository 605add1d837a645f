// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulSessionApi
{
    /// <inheritdoc />
    public async Task<string> CreateSessionAsync(SessionCreateRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string path = "v1/session/create";
        var call = new ConsulCall(HttpMethod.Put, "/" + path, "/" + path, DatacenterQuery().Apply(path))
        {
            Content = Json(request, ConsulJsonContext.Default.SessionCreateRequest),
        };
        var response = await SendAsync(call, ConsulJsonContext.Default.SessionCreated, cancellationToken).ConfigureAwait(false);
        return response.Value?.ID is { Length: > 0 } id
            ? id
            : throw new ConsulException("Consul answered session create without an ID.", ConsulErrorReason.InvalidResponse, statusCode: null, responseBody: null);
    }

    /// <inheritdoc />
    public async Task<SessionInfo?> RenewSessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var path = "v1/session/renew/" + ConsulPath.Segment(sessionId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/session/renew/{session}", "/" + path, DatacenterQuery().Apply(path)) { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListSessionInfo, cancellationToken).ConfigureAwait(false);
        return response.Found && response.Value is [var info, ..] ? info : null;
    }

    /// <inheritdoc />
    public async Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var path = "v1/session/destroy/" + ConsulPath.Segment(sessionId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/session/destroy/{session}", "/" + path, DatacenterQuery().Apply(path));
        await SendAsync(call, ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<QueryResult<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/session/info/{session}", "v1/session/info/" + ConsulPath.Segment(sessionId), new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListSessionInfo, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Value is [var info, ..] ? info : null);
    }

    private ConsulQuery DatacenterQuery() => new ConsulQuery().Add("dc", NullIfEmpty(_options.CurrentValue.Datacenter));
}
