// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds a health check of the app's connection to Consul.</summary>
public static class ConsulHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check that reports whether the Consul agent (<c>Consul:Address</c>) answers and its cluster has a
    /// leader: Healthy, Degraded without a leader, <paramref name="failureStatus"/> when it cannot be reached or refuses.
    /// It shows in the health endpoints you map yourself, and never in the one Consul checks (or the TTL heartbeat):
    /// a Consul outage must not mark every instance critical.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The check's name.</param>
    /// <param name="failureStatus">The status when Consul cannot be used; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering; <c>consul-connectivity</c> is always added.</param>
    /// <param name="timeout">How long the check may take; <see langword="null"/> for no limit beyond <c>Consul:Timeout</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddConsulConnectivity(
        this IHealthChecksBuilder builder,
        string name = "consul",
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null,
        TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(name);
        builder.Services.AddConsulOptions(section: null, configure: null);
        var allTags = new HashSet<string>(tags ?? [], StringComparer.Ordinal) { ConsulConnectivityHealthCheck.Tag };
        return builder.Add(new HealthCheckRegistration(
            name,
            static provider => new ConsulConnectivityHealthCheck(provider.GetRequiredService<IConsulStatusApi>()),
            failureStatus,
            allTags,
            timeout));
    }
}
