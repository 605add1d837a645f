// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Finds the available instances of a service through Consul. The first lookup of a name asks Consul once
/// (concurrent first lookups share that request); from then on a background blocking query keeps the name's list
/// current and lookups are answered from memory, without a lock or an allocation.
/// </summary>
public interface IConsulServiceDiscovery
{
    /// <summary>
    /// Gets the current instances of <paramref name="serviceName"/>. Answered synchronously from the cache once the
    /// name has been fetched; while Consul is unreachable the last-known-good list is returned with
    /// <see cref="ConsulServiceInstances.IsStale"/> set.
    /// </summary>
    /// <param name="serviceName">The Consul service name.</param>
    /// <param name="cancellationToken">Cancels waiting for the first fetch (the shared fetch itself continues).</param>
    /// <returns>The instances; an empty list when the service has none available.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="serviceName"/> is empty.</exception>
    /// <exception cref="ConsulException">The name was never fetched and Consul could not answer; the message names the service and the Consul address.</exception>
    /// <exception cref="ObjectDisposedException">The discovery service was disposed.</exception>
    ValueTask<ConsulServiceInstances> GetInstancesAsync(string serviceName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the cached instances of <paramref name="serviceName"/> without waiting: for hot paths. Returns
    /// <see langword="false"/> when the name is not (yet) watched; it does not start a watch (use
    /// <see cref="GetInstancesAsync"/> for that).
    /// </summary>
    /// <param name="serviceName">The Consul service name.</param>
    /// <param name="instances">The cached instances when found.</param>
    /// <returns><see langword="true"/> when the name has a cached list.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="serviceName"/> is <see langword="null"/>.</exception>
    bool TryGetCached(string serviceName, [NotNullWhen(true)] out ConsulServiceInstances? instances);
}
