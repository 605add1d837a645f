// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Consul's blocking-query index rules (docs/consul-http-api.md §8), in one place for every watcher.</summary>
internal static class BlockingIndex
{
    /// <summary>
    /// The index for the next request, given the one just sent and the `X-Consul-Index` that came back.
    /// A returned index lower than the one sent means the server's index went backwards (a restart, a snapshot
    /// restore): start over from 0, which does not block, instead of waiting for an index that may never come.
    /// Otherwise never 0, since `index=0` would turn the next call into a busy non-blocking loop.
    /// </summary>
    public static ulong Next(ulong requested, ulong returned) => returned < requested ? 0 : Math.Max(returned, 1);
}
