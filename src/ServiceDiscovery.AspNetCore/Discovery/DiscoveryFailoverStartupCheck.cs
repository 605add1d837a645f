// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// At start-up, checks every failover list against Consul's datacenter list (<c>/v1/catalog/datacenters</c>): a
/// datacenter Consul does not know, or the agent's own datacenter in a list, fails the start with the key to fix.
/// When the agent cannot be reached yet, it logs a warning and lets the app start (discovery retries on its own).
/// </summary>
internal sealed partial class DiscoveryFailoverStartupCheck(
    IConsulCatalogApi catalog,
    IOptions<ConsulOptions> options,
    ILogger<DiscoveryFailoverStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var consul = options.Value;
        var lists = Lists(consul).ToList();
        if (lists.Count == 0)
        {
            return;
        }

        IReadOnlyList<string> known;
        try
        {
            known = await catalog.GetDatacentersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            Log.CheckSkipped(logger, catalog.Address, WatchFailure.ErrorType(ex), ex);
            return;
        }

        var failures = new List<string>();
        var agentDatacenter = known.Count > 0 ? known[0] : null;
        foreach (var (key, failover, local) in lists)
        {
            var own = local ?? agentDatacenter;
            for (var i = 0; i < failover.Datacenters.Count; i++)
            {
                var datacenter = failover.Datacenters[i];
                var itemKey = $"{key}:Datacenters:{i.ToString(CultureInfo.InvariantCulture)}";
                if (!known.Contains(datacenter, StringComparer.Ordinal))
                {
                    failures.Add($"{itemKey} '{datacenter}' is not a datacenter Consul at {catalog.Address} knows (it knows: {string.Join(", ", known)}). Fix the name or remove it.");
                }
                else if (string.Equals(datacenter, own, StringComparison.Ordinal))
                {
                    failures.Add($"{itemKey} '{datacenter}' is the datacenter the name is discovered in (the agent's own); a failover list names only other datacenters. Remove it.");
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("Consul discovery failover settings name datacenters that cannot be failed over to: " + string.Join(" ", failures));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every failover list in the settings, with its key and the datacenter its names are discovered in (when configured).</summary>
    private static IEnumerable<(string Key, ConsulDiscoveryFailoverOptions Failover, string? Local)> Lists(ConsulOptions options)
    {
        var discovery = options.Discovery;
        var local = string.IsNullOrWhiteSpace(options.Datacenter) ? null : options.Datacenter;
        if (discovery.Failover.Datacenters.Count > 0)
        {
            yield return ($"{discovery.SectionPath}:Failover", discovery.Failover, local);
        }

        foreach (var (name, service) in discovery.Services)
        {
            if (service is { Failover.Datacenters.Count: > 0 })
            {
                yield return ($"{discovery.SectionPath}:Services:{name}:Failover", service.Failover, string.IsNullOrWhiteSpace(service.Datacenter) ? local : service.Datacenter);
            }
        }
    }
}
