// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>A read's value plus the blocking-query metadata Consul sends in headers (docs/consul-http-api.md §8, §14).</summary>
/// <typeparam name="T">The decoded body.</typeparam>
internal sealed record QueryResult<T>(T Value, ulong LastIndex, bool KnownLeader, TimeSpan LastContact)
{
    /// <summary>`X-Consul-Results-Filtered-By-ACLs: true`: the token could not read some of what matched (docs/consul-http-api.md §18).</summary>
    public bool ResultsFilteredByAcls { get; init; }

    /// <summary>
    /// The index to send with the next blocking query, after the one that sent <paramref name="requestedIndex"/>.
    /// Implements §8 once for every caller: reset to 0 when the index went backwards, never return 0 otherwise.
    /// </summary>
    public ulong NextIndex(ulong requestedIndex) => BlockingIndex.Next(requestedIndex, LastIndex);
}
