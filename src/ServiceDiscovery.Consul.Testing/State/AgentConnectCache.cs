// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// An agent's cache of Connect answers (agent/leafcert): one leaf per service, answered again and again until it is
/// due, and the roots index it last served (for <c>X-Cache</c>). A leaf is due at a renewal time picked uniformly in
/// [60 %, 90 %] of its lifetime, or, once the active root no longer signed it, after a random delay of up to
/// <see cref="ConsulTestAgentConnectOptions.LeafReissueJitter"/>. A non-blocking request also reissues a leaf at once
/// when its root changed. Callers hold the store's lock.
/// </summary>
internal sealed class AgentConnectCache
{
    private static readonly ConditionalWeakTable<LocalAgentState, AgentConnectCache> Caches = new();

    private readonly Dictionary<string, Entry> _leaves = new(StringComparer.Ordinal);
    private ulong _rootsIndexServed;

    public static AgentConnectCache For(LocalAgentState local) => Caches.GetValue(local, _ => new AgentConnectCache());

    /// <summary>Records that the roots at <paramref name="index"/> were served; returns whether the agent already had them (a cache hit).</summary>
    public bool ServeRoots(ulong index)
    {
        var hit = _rootsIndexServed == index;
        _rootsIndexServed = index;
        return hit;
    }

    /// <summary>The cached leaf of <paramref name="service"/> as it stands, or null.</summary>
    public IssuedLeaf? Cached(string service) => _leaves.GetValueOrDefault(service)?.Leaf;

    /// <summary>
    /// Answers a leaf request: the leaf to return now (and whether it came from the cache), or null with the time at
    /// which the blocked request should look again. <paramref name="minIndex"/> is the request's <c>index</c>.
    /// </summary>
    public LeafAnswer? Evaluate(StateStore store, ConsulTestAgentConnectOptions options, string service, string datacenter, ulong minIndex, out DateTimeOffset wakeAt)
    {
        wakeAt = DateTimeOffset.MaxValue;
        var now = store.Time.GetUtcNow();
        var ca = store.ConnectCa(options);
        if (!_leaves.TryGetValue(service, out var entry))
        {
            return new LeafAnswer(Issue(store, ca, service, datacenter, now), Hit: false);
        }

        var rootChanged = !entry.Leaf.AuthorityKeyId.AsSpan().SequenceEqual(ca.ActiveRoot.SubjectKeyId);
        if (minIndex == 0 || minIndex < entry.Leaf.Index)
        {
            return now >= entry.RenewAt || rootChanged
                ? new LeafAnswer(Issue(store, ca, service, datacenter, now), Hit: false)
                : new LeafAnswer(entry.Leaf, Hit: true);
        }

        if (now >= entry.RenewAt)
        {
            return new LeafAnswer(Issue(store, ca, service, datacenter, now), Hit: false);
        }

        wakeAt = entry.RenewAt;
        if (rootChanged)
        {
            entry.RootChangeDueAt ??= now + Jitter(options.LeafReissueJitter);
            if (now >= entry.RootChangeDueAt)
            {
                return new LeafAnswer(Issue(store, ca, service, datacenter, now), Hit: false);
            }

            wakeAt = entry.RootChangeDueAt.Value < wakeAt ? entry.RootChangeDueAt.Value : wakeAt;
        }

        return null;
    }

    private static TimeSpan Jitter(TimeSpan max) =>
        max <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((long)(max.Ticks * RandomFraction()));

    private static double RandomFraction() => RandomNumberGenerator.GetInt32(1_000_000) / 1_000_000.0;

    private IssuedLeaf Issue(StateStore store, ConnectCa ca, string service, string datacenter, DateTimeOffset now)
    {
        // Each issuance is a Raft write (the CA's serial and the certificate), so the index strictly increases.
        var leaf = ca.Sign(service, datacenter, now, store.NextIndex());
        var lifetime = leaf.ValidBefore - leaf.ValidAfter;
        var renewAt = leaf.ValidAfter + (lifetime * (0.6 + (0.3 * RandomFraction())));
        _leaves[service] = new Entry(leaf, renewAt);
        store.Changes.Publish();
        return leaf;
    }

    private sealed class Entry(IssuedLeaf leaf, DateTimeOffset renewAt)
    {
        public IssuedLeaf Leaf { get; } = leaf;

        public DateTimeOffset RenewAt { get; } = renewAt;

        public DateTimeOffset? RootChangeDueAt { get; set; }
    }
}

/// <summary>A leaf to answer with, and whether the agent's cache already held it (<c>X-Cache: HIT</c>).</summary>
internal sealed record LeafAnswer(IssuedLeaf Leaf, bool Hit);
