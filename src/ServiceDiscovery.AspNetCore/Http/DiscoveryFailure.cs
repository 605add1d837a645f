// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// Turns a failed lookup (Consul unreachable, timing out or refusing) into the transient
/// <see cref="ConsulServiceUnavailableException"/> resilience pipelines retry, keeping the Consul detail inside.
/// </summary>
internal static class DiscoveryFailure
{
    public static async ValueTask<ConsulServiceInstances> GetInstancesAsync(IConsulServiceDiscovery discovery, string serviceName, CancellationToken cancellationToken)
    {
        try
        {
            return await discovery.GetInstancesAsync(serviceName, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            throw new ConsulServiceUnavailableException(serviceName, $"No instance of Consul service '{serviceName}' is known yet and Consul could not be asked: {ex.Message} The request was not sent; a retry may succeed.", ex);
        }
    }
}
