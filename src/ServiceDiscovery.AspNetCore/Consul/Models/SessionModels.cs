// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>The body of <c>PUT /v1/session/create</c> (docs/consul-http-api.md §19). Null members are left to Consul's defaults.</summary>
internal sealed record SessionCreateRequest
{
    public string? Name { get; init; }
    public string? Node { get; init; }

    /// <summary>Sent as a Go duration string; Consul's default is 15s, 0 disables it.</summary>
    public TimeSpan? LockDelay { get; init; }

    /// <summary><c>release</c> (default) or <c>delete</c>: what happens to held keys when the session is invalidated.</summary>
    public string? Behavior { get; init; }

    /// <summary>Between 10s and 24h; Consul invalidates the session after up to twice this without a renewal.</summary>
    public TimeSpan? TTL { get; init; }

    /// <summary>Node checks the session is tied to; an empty list ties it to none (not even <c>serfHealth</c>).</summary>
    public IReadOnlyList<string>? NodeChecks { get; init; }

    public IReadOnlyList<SessionServiceCheck>? ServiceChecks { get; init; }
}

/// <summary>A service check a session is tied to.</summary>
internal sealed record SessionServiceCheck(string ID, string? Namespace = null);

/// <summary>The answer to <c>PUT /v1/session/create</c>.</summary>
internal sealed record SessionCreated(string ID);

/// <summary>A session as <c>/v1/session/info</c> and <c>/v1/session/renew</c> show it.</summary>
internal sealed record SessionInfo
{
    public required string ID { get; init; }
    public string? Name { get; init; }
    public string? Node { get; init; }

    /// <summary>Consul writes this one as a number of nanoseconds, not a Go string; the converter reads both.</summary>
    public TimeSpan LockDelay { get; init; }
    public string? Behavior { get; init; }

    /// <summary>The TTL as created (a Go duration string such as <c>15s</c>), empty when the session has none.</summary>
    public string? TTL { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
}
