// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Coordination;

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// Whether a leader election runs: Healthy while it campaigns or leads (leader and follower alike: following is the
/// normal state of all instances but one), Degraded while its campaigns fail talking to Consul, the registration's
/// failure status when its loop has stopped. Its data names the election, the key, the role and, for the leader, the
/// fencing token.
/// </summary>
internal sealed class ConsulLeadershipHealthCheck(ConsulLeaderElection election) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fencingToken = election.FencingToken;
        var isLeader = fencingToken != 0;
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["election"] = election.Name,
            ["key"] = election.Key,
            ["role"] = isLeader ? "leader" : "follower",
            ["consecutiveFailures"] = election.ConsecutiveFailures,
        };
        if (isLeader)
        {
            data["fencingToken"] = fencingToken;
        }

        HealthCheckResult result;
        if (!election.IsRunning)
        {
            result = new HealthCheckResult(
                context.Registration.FailureStatus,
                $"Leader election '{election.Name}' is not running (not started yet, stopped, or ended by an error).",
                election.ExecuteTask?.Exception,
                data);
        }
        else if (election.ConsecutiveFailures > 0)
        {
            result = HealthCheckResult.Degraded($"Leader election '{election.Name}' cannot campaign: {election.LastError}", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"Leader election '{election.Name}' runs; this instance is the {(isLeader ? "leader" : "follower")}.", data);
        }

        return Task.FromResult(result);
    }
}
