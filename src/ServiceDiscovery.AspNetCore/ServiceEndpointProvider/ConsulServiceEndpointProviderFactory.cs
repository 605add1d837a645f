// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Http;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.ServiceDiscovery;

namespace ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

/// <summary>Microsoft.Extensions.ServiceDiscovery provider factory backed by the Consul discovery cache.</summary>
internal sealed class ConsulServiceEndpointProviderFactory(IConsulServiceDiscovery discovery, ConnectEndpoints connect) : IServiceEndpointProviderFactory
{
    /// <summary>
    /// Takes the queries whose name is a Consul service name by the HttpClient integration's rule (a single label, not
    /// <c>localhost</c>, not an IP address). Named-endpoint queries (<c>http://_grpc.catalog</c>) are left to the other
    /// providers: Consul has no named endpoints, and answering with the service's one port could send gRPC to HTTP.
    /// </summary>
    public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.EndpointName is not null || !ServiceUri.IsServiceName(query.ServiceName))
        {
            provider = null;
            return false;
        }

        provider = new ConsulServiceEndpointProvider(query, discovery, connect);
        return true;
    }
}
