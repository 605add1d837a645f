// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// How <see cref="ConsulDiscoveryCacheOptions.MaxConnections"/> is shared out. The handler enforces the budget
/// (<c>MaxConnectionsPerServer</c>); these rules keep blocking queries from taking every connection, since a request
/// queued behind blocking queries would wait for up to a whole <c>wait</c>.
/// </summary>
internal static class DiscoveryConnectionBudget
{
    /// <summary>Two datacenter blocking queries and one connection for reads.</summary>
    public const int Minimum = 3;

    /// <summary>Connections kept free of blocking queries: for refreshes, registration and any other call.</summary>
    private const int Reserved = 3;

    /// <summary>The most names watched with their own blocking query.</summary>
    public static int PerServiceSlots(ConsulDiscoveryCacheOptions options) => options.WatchMode switch
    {
        ConsulWatchMode.Datacenter => 0,
        ConsulWatchMode.PerService => Math.Max(0, options.MaxConnections - Reserved),
        _ => Math.Max(0, Math.Min(options.DatacenterWatchThreshold, options.MaxConnections - Reserved)),
    };

    /// <summary>How many non-blocking refreshes the datacenter watch runs at once (at most 4).</summary>
    public static int RefreshConcurrency(ConsulDiscoveryCacheOptions options) => Math.Clamp(options.MaxConnections - 2 - 1, 1, 4);
}
