// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.ServiceDiscovery;

namespace ServiceDiscovery.AspNetCore.Http.ServiceEndpointProvider;

/// <summary>Microsoft.Extensions.ServiceDiscovery provider factory backed by the Consul discovery cache.</summary>
internal sealed class ConsulServiceEndpointProviderFactory(IConsulServiceDiscovery discovery) : IServiceEndpointProviderFactory
{
    public bool TryCreateProvider(ServiceEndpointQuery query, [NotNullWhen(true)] out IServiceEndpointProvider? provider)
    {
        // Names with dots are host names (DNS); Consul service names are single labels.
        if (query.ServiceName.Length == 0 || query.ServiceName.Contains('.', StringComparison.Ordinal)
            || string.Equals(query.ServiceName, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            provider = null;
            return false;
        }

        provider = new ConsulServiceEndpointProvider(query, discovery);
        return true;
    }
}
