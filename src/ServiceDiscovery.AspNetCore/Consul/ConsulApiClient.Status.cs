// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulStatusApi
{
    /// <inheritdoc />
    public async Task<string> GetLeaderAsync(CancellationToken cancellationToken)
    {
        const string path = "v1/status/leader";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, path);
        var response = await SendAsync(call, ConsulJsonContext.Default.String, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }
}
