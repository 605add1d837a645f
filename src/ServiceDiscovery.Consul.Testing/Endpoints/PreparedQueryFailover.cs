// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Federation;
using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// prepared_query_endpoint.go <c>queryFailover</c>: when the local answer is empty, the query is shipped whole to other
/// datacenters (<c>ExecuteRemote</c>: no further failover, shuffled, limited), trying first the <c>NearestN</c> other
/// datacenters by estimated round-trip time, then <c>Failover.Datacenters</c> in order, skipping unknown ones and ones
/// already chosen. An unreachable datacenter is skipped; the first non-empty answer wins. <c>Failovers</c> counts every
/// datacenter tried, failures included; <c>Datacenter</c> is the last one that answered. Each remote datacenter
/// filters its instances with the same token the local answer was filtered with (the query's stored token, else the
/// caller's), resolved there: a token that datacenter does not know fails it like an unreachable one.
/// </summary>
internal static class PreparedQueryFailover
{
    public static async Task<PreparedQueryAnswer> RunAsync(AgentRequest r, PreparedQuerySelection selection, string token, int limit, PreparedQueryAnswer local)
    {
        if (r.Wan is not { } wan)
        {
            return local;
        }

        var answer = local;
        var failovers = 0;
        foreach (var target in Candidates(wan, r.Datacenter, selection))
        {
            failovers++;
            if (!target.Reachable)
            {
                continue;
            }

            if (target.Latency > TimeSpan.Zero)
            {
                await Task.Delay(target.Latency, TimeProvider.System, r.Aborted).ConfigureAwait(false);
            }

            // Consul's ExecuteRemote resolves the token in the remote datacenter; an error there is logged and skipped.
            if (r.Acl.Resolve(token, target.Store) is not { } authorizer)
            {
                continue;
            }

            (ulong Index, List<Filtering.HealthEntry> Entries) result;
            lock (target.Store.Sync)
            {
                result = selection.Run(target.Store);
            }

            var readable = PreparedQueryExecutor.Readable(authorizer, result.Entries);
            var entries = PreparedQueryExecutor.Shuffle(readable);
            answer = new PreparedQueryAnswer(target.Name, limit > 0 && entries.Count > limit ? entries[..limit] : entries, 0, result.Index,
                readable.Count < result.Entries.Count);
            if (entries.Count > 0)
            {
                break;
            }
        }

        return answer with { Failovers = failovers };
    }

    /// <summary>The datacenters to try, in order: the nearest N others, then the listed ones not chosen yet that the WAN knows.</summary>
    internal static List<WanDatacenter> Candidates(WanFederation wan, string local, PreparedQuerySelection selection)
    {
        var nearest = wan.ByDistanceFrom(local).Where(d => d.Name != local).ToList();
        var chosen = nearest.Take(selection.NearestN).ToList();
        foreach (var name in selection.FailoverDatacenters)
        {
            if (nearest.FirstOrDefault(d => d.Name == name) is { } dc && !chosen.Contains(dc))
            {
                chosen.Add(dc);
            }
        }

        return chosen;
    }
}
