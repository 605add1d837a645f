// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Coordination;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds health checks of the app's connection to Consul and of its leader elections.</summary>
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

    /// <summary>
    /// Adds a health check of the leader election <paramref name="electionName"/> (registered with
    /// <c>AddConsulLeaderElection</c>): Healthy while it runs, whether this instance leads or follows (the data says
    /// which: <c>role</c> is <c>leader</c> or <c>follower</c>, with the leader's <c>fencingToken</c>); Degraded while its
    /// campaigns fail talking to Consul; <paramref name="failureStatus"/> when its loop is not running. Like
    /// <see cref="AddConsulConnectivity"/>, it is left out of the endpoint Consul checks: a follower, or a Consul outage,
    /// must not mark the instance critical.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="electionName">The election's name, as given to <c>AddConsulLeaderElection</c>.</param>
    /// <param name="name">The check's name; <see langword="null"/> for <c>consul-leadership-{electionName}</c>.</param>
    /// <param name="failureStatus">The status when the election is not running; <see langword="null"/> for <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering; <c>consul-connectivity</c> is always added.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="electionName"/> is null, empty or white space.</exception>
    public static IHealthChecksBuilder AddConsulLeadership(
        this IHealthChecksBuilder builder,
        string electionName,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(electionName);
        var allTags = new HashSet<string>(tags ?? [], StringComparer.Ordinal) { ConsulConnectivityHealthCheck.Tag };
        return builder.Add(new HealthCheckRegistration(
            name ?? "consul-leadership-" + electionName,
            provider => new ConsulLeadershipHealthCheck(
                provider.GetKeyedService<IConsulLeaderElection>(electionName) as ConsulLeaderElection
                ?? throw new InvalidOperationException($"No leader election '{electionName}' is registered for the health check. Call services.AddConsulLeaderElection(\"{electionName}\") or pass the name of an election the app registers.")),
            failureStatus,
            allTags,
            timeout: null));
    }
}
