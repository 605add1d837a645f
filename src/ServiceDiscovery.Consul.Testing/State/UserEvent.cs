// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>One user event (agent/user_event.go <c>UserEvent</c>); <see cref="LTime"/> is 0 until an agent receives it.</summary>
internal sealed record UserEvent(string Id, string Name, byte[] Payload, string NodeFilter, string ServiceFilter, string TagFilter)
{
    /// <summary>The version Consul stamps on every event it fires (<c>userEventMaxVersion</c>).</summary>
    public const int Version = 1;

    /// <summary>Gets the event's Lamport time (serf's event clock).</summary>
    public ulong LTime { get; init; }

    /// <summary>
    /// api/event.go <c>IDToIndex</c>: the event list's <c>X-Consul-Index</c> is the XOR of the two 64-bit halves of
    /// the last event's ID, so it is a change marker, not an ordered index.
    /// </summary>
    public static ulong IdToIndex(string id)
    {
        var lower = Convert.ToUInt64(string.Concat(id.AsSpan(0, 8), id.AsSpan(9, 4), id.AsSpan(14, 4)), 16);
        var upper = Convert.ToUInt64(string.Concat(id.AsSpan(19, 4), id.AsSpan(24, 12)), 16);
        return lower ^ upper;
    }
}
