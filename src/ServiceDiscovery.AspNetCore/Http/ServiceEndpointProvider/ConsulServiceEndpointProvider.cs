// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.ServiceDiscovery;

namespace ServiceDiscovery.AspNetCore.Http.ServiceEndpointProvider;

/// <summary>
/// Resolves a service's endpoints from the discovery cache and hands the cache's change token to
/// Microsoft.Extensions.ServiceDiscovery, which then refreshes when Consul pushes a change instead of polling.
/// </summary>
internal sealed class ConsulServiceEndpointProvider(ServiceEndpointQuery query, IConsulServiceDiscovery discovery) : IServiceEndpointProvider
{
    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        var instances = await discovery.GetInstancesAsync(query.ServiceName, cancellationToken).ConfigureAwait(false);
        var schemes = query.IncludedSchemes;
        foreach (var instance in instances)
        {
            if (schemes.Count == 0 || schemes.Contains(instance.Scheme, StringComparer.OrdinalIgnoreCase))
            {
                endpoints.Endpoints.Add(ServiceEndpoint.Create(instance.EndPoint));
            }
        }

        endpoints.AddChangeToken(instances.ChangeToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => "Consul";
}
