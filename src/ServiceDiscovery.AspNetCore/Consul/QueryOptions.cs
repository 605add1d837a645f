// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>Read options shared by the blocking-capable endpoints (docs/consul-http-api.md §8, §14).</summary>
internal sealed record QueryOptions
{
    /// <summary>Options for a plain, non-blocking read with the client's defaults.</summary>
    public static QueryOptions Default { get; } = new();

    /// <summary>`index`: 0 means "do not block".</summary>
    public ulong Index { get; init; }

    /// <summary>`wait`, sent as `&lt;n&gt;ms`; <see langword="null"/> lets Consul use its default (5 min).</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>`stale` / `consistent` / neither.</summary>
    public ConsulConsistencyMode Consistency { get; init; }

    /// <summary>`dc`; <see langword="null"/> falls back to <c>ConsulClientOptions.Datacenter</c>, then the agent's own.</summary>
    public string? Datacenter { get; init; }

    /// <summary>`filter` (Consul's bexpr).</summary>
    public string? Filter { get; init; }

    /// <summary>Overrides <c>ConsulClientOptions.Token</c> for this request only (sent as `X-Consul-Token`).</summary>
    public string? Token { get; init; }
}
