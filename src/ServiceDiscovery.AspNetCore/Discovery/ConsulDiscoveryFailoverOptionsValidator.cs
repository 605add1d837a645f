// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Validates <c>Consul:Discovery:Failover</c> and each <c>Consul:Discovery:Services:{name}:Failover</c> at start-up,
/// without Consul: names present and listed once, <c>NearestN</c> not negative, and no list naming the datacenter the
/// name is discovered in when configuration says which it is. Whether Consul knows each datacenter is checked against
/// the agent by <see cref="DiscoveryFailoverStartupCheck"/>.
/// </summary>
internal sealed class ConsulDiscoveryFailoverOptionsValidator(ConsulOptionsSection? section = null) : IValidateOptions<ConsulOptions>
{
    private readonly string _section = (section ?? ConsulOptionsSection.Default).Key("Discovery");

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var local = NullIfEmpty(options.Datacenter);
        Check($"{_section}:Failover", options.Discovery.Failover, local, local is null ? null : "Consul:Datacenter", failures);
        foreach (var (serviceName, service) in options.Discovery.Services)
        {
            if (service is null)
            {
                continue;
            }

            var own = NullIfEmpty(service.Datacenter);
            var localKey = own is not null ? $"{_section}:Services:{serviceName}:Datacenter" : local is null ? null : "Consul:Datacenter";
            Check($"{_section}:Services:{serviceName}:Failover", service.Failover, own ?? local, localKey, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string key, ConsulDiscoveryFailoverOptions failover, string? local, string? localKey, List<string> failures)
    {
        if (failover.NearestN is < 0)
        {
            failures.Add($"{key}:NearestN must be 0 or more (how many of the nearest other datacenters to try); got '{failover.NearestN.Value.ToString(CultureInfo.InvariantCulture)}'. Remove it to try none.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < failover.Datacenters.Count; i++)
        {
            var datacenter = failover.Datacenters[i];
            var itemKey = $"{key}:Datacenters:{i.ToString(CultureInfo.InvariantCulture)}";
            if (string.IsNullOrWhiteSpace(datacenter))
            {
                failures.Add($"{itemKey} is empty; remove it or name a datacenter to fail over to.");
            }
            else if (!seen.Add(datacenter))
            {
                failures.Add($"{itemKey} '{datacenter}' is listed twice; remove the second entry.");
            }
            else if (string.Equals(datacenter, local, StringComparison.Ordinal))
            {
                failures.Add($"{itemKey} '{datacenter}' is the datacenter the name is discovered in ({localKey}); a failover list names only other datacenters. Remove it.");
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
