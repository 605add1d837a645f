// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>Checks the datacenters of a federated <see cref="ConsulTestCluster"/> before anything starts.</summary>
internal static partial class ConsulTestDatacenterOptionsValidator
{
    /// <summary>Every failure, each naming the datacenter, the setting, the value and the fix; empty when valid.</summary>
    public static List<string> Validate(IReadOnlyList<ConsulTestDatacenterOptions> datacenters)
    {
        var failures = new List<string>();
        if (datacenters.Count == 0)
        {
            failures.Add("ConsulTestCluster.StartDatacentersAsync needs at least one ConsulTestDatacenterOptions; name each datacenter, e.g. 'dc1'.");
            return failures;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < datacenters.Count; i++)
        {
            var dc = datacenters[i] ?? throw new ArgumentException($"Datacenter {i} is null.", nameof(datacenters));
            var where = $"ConsulTestDatacenterOptions[{i}]";
            var name = dc.Name ?? string.Empty;
            if (!DatacenterName().IsMatch(name))
            {
                failures.Add($"{where}.Name '{dc.Name}' is not a datacenter name: Consul allows lowercase letters, digits, '-' and '_' only (e.g. 'dc2').");
            }
            else if (!seen.Add(name))
            {
                failures.Add($"{where}.Name '{dc.Name}' names a datacenter twice; give each datacenter its own name.");
            }

            if (dc.Agents is < 1 or > ConsulTestCluster.MaxAgents)
            {
                failures.Add($"{where}.Agents is {dc.Agents}; a datacenter runs 1 (its server) to {ConsulTestCluster.MaxAgents} agents.");
            }

            if (!float.IsFinite(dc.WanPosition.X) || !float.IsFinite(dc.WanPosition.Y))
            {
                failures.Add($"{where}.WanPosition {dc.WanPosition} is not a finite point; give milliseconds on both axes, e.g. new Vector2(40, 0).");
            }
        }

        var total = datacenters.Sum(d => Math.Max(d.Agents, 0));
        if (failures.Count == 0 && total > ConsulTestCluster.MaxAgents)
        {
            failures.Add($"The datacenters run {total} agents together; a cluster runs at most {ConsulTestCluster.MaxAgents}: lower ConsulTestDatacenterOptions.Agents.");
        }

        return failures;
    }

    [GeneratedRegex("^[a-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex DatacenterName();
}
