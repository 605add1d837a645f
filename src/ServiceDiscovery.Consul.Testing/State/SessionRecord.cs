// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One session (<c>structs.Session</c>): the node it belongs to, the checks it is tied to, what happens to its
/// locks when it is invalidated, and its TTL. Immutable once created; guarded by the store's lock.
/// </summary>
internal sealed class SessionRecord
{
    /// <summary>Consul's <c>structs.MaxLockDelay</c>: the lock-delay applied on invalidation never exceeds it.</summary>
    public static readonly TimeSpan MaxLockDelay = TimeSpan.FromSeconds(60);

    public required string Id { get; init; }

    public string Name { get; init; } = string.Empty;

    public required string Node { get; init; }

    /// <summary>Gets the lock-delay as sent, in nanoseconds: what <c>LockDelay</c> prints.</summary>
    public GoDuration LockDelayDuration { get; init; }

    /// <summary>Gets or initialises the lock-delay for clocks: <see cref="LockDelayDuration"/> rounded up to a tick.</summary>
    public TimeSpan LockDelay
    {
        get => LockDelayDuration.ToTimeSpan();
        init => LockDelayDuration = GoDuration.FromTimeSpan(value);
    }

    /// <summary>Gets <c>release</c> or <c>delete</c>.</summary>
    public string Behavior { get; init; } = "release";

    /// <summary>Gets the TTL as the client wrote it (Consul keeps the string).</summary>
    public string Ttl { get; init; } = string.Empty;

    /// <summary>Gets the parsed TTL; zero for none.</summary>
    public TimeSpan TtlDuration { get; init; }

    /// <summary>Gets the node checks; null prints as JSON <c>null</c>.</summary>
    public IReadOnlyList<string>? NodeChecks { get; init; }

    /// <summary>Gets the service checks (ID, Namespace); null prints as JSON <c>null</c>.</summary>
    public IReadOnlyList<(string Id, string Namespace)>? ServiceChecks { get; init; }

    /// <summary>Gets the legacy <c>Checks</c> field (omitted from JSON when empty).</summary>
    public IReadOnlyList<string>? Checks { get; init; }

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }

    /// <summary>Every check the session is tied to, in Consul's <c>CheckIDs()</c> order: Checks, NodeChecks, ServiceChecks.</summary>
    public IEnumerable<string> CheckIds =>
        (Checks ?? []).Concat(NodeChecks ?? []).Concat((ServiceChecks ?? []).Select(c => c.Id));
}
