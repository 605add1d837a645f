// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// Instruments of elections, locks and semaphores on the library's <c>ServiceDiscovery.Consul</c> meter. Elections
/// are tagged with their name (chosen in code, so bounded); lock keys never become tags.
/// </summary>
internal sealed class CoordinationMetrics
{
    private readonly Counter<long> _leadershipChanges;
    private readonly Histogram<double> _leaderTerm;
    private readonly Histogram<double> _acquireDuration;

    public CoordinationMetrics(ConsulTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        _leadershipChanges = telemetry.Meter.CreateCounter<long>(
            "consul.leader_election.changes", unit: "{change}", description: "Times this instance became leader or stepped down, by election and new role.");
        _leaderTerm = telemetry.Meter.CreateHistogram<double>(
            "consul.leader_election.term.duration", unit: "s", description: "How long this instance led, per term, by election.");
        _acquireDuration = telemetry.Meter.CreateHistogram<double>(
            "consul.lock.acquire.duration", unit: "s", description: "Time from asking for a lock, semaphore slot or leadership to holding it (or giving up), by kind and outcome.");
    }

    public void LeadershipChanged(string election, bool isLeader)
        => _leadershipChanges.Add(1, new TagList { { "consul.election", election }, { "consul.role", isLeader ? "leader" : "follower" } });

    public void TermEnded(string election, TimeSpan term)
        => _leaderTerm.Record(term.TotalSeconds, new TagList { { "consul.election", election } });

    /// <summary><paramref name="kind"/>: <c>lock</c>, <c>semaphore</c> or <c>leader</c>; <paramref name="outcome"/>: <c>acquired</c>, <c>timeout</c>, <c>canceled</c> or <c>error</c>.</summary>
    public void Acquire(string kind, string outcome, TimeSpan elapsed)
        => _acquireDuration.Record(elapsed.TotalSeconds, new TagList { { "consul.lock.kind", kind }, { "consul.lock.outcome", outcome } });
}
