// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>How Consul learns this app's health (<c>Consul:HealthCheck:Kind</c>).</summary>
public enum ConsulCheckKind
{
    /// <summary>Consul calls the app's health endpoint over HTTP at the registered address.</summary>
    Http,

    /// <summary>
    /// The app reports its health to Consul (TTL check) every third of <see cref="ConsulHealthCheckOptions.Ttl"/>:
    /// for apps Consul cannot reach.
    /// </summary>
    Ttl,

    /// <summary>No check: the instance always counts as passing. Only for tests and special cases.</summary>
    None,
}
