// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>A change of this instance's role in a leader election.</summary>
/// <param name="isLeader">Whether this instance leads after the change.</param>
/// <param name="sessionId">The Consul session of the term that began or ended.</param>
public sealed class ConsulLeadershipChangedEventArgs(bool isLeader, string sessionId) : EventArgs
{
    /// <summary>Whether this instance leads after the change.</summary>
    public bool IsLeader { get; } = isLeader;

    /// <summary>The Consul session of the term that began or ended.</summary>
    public string SessionId { get; } = sessionId;
}
