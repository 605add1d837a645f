// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Consul's read consistency modes (docs/consul-http-api.md §8).</summary>
public enum ConsulConsistencyMode
{
    /// <summary>Read from the leader (Consul's default).</summary>
    Default,

    /// <summary>`?stale`: any server may answer; lowest latency, may lag the leader.</summary>
    Stale,

    /// <summary>`?consistent`: the leader verifies leadership first.</summary>
    Consistent,
}
