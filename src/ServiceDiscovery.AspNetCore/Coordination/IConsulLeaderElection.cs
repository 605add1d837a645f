// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// One leader election among the instances of an app (<c>AddConsulLeaderElection(name)</c>; inject it with
/// <c>[FromKeyedServices(name)]</c>). The election runs as a hosted service: it campaigns from start-up, renews
/// its session in the background, and on shutdown steps down and releases the key so another instance takes over
/// at once.
/// </summary>
public interface IConsulLeaderElection
{
    /// <summary>The election's name.</summary>
    string Name { get; }

    /// <summary>The KV key the candidates lock.</summary>
    string Key { get; }

    /// <summary>
    /// Whether this instance leads now, judged when read: the term's step-down deadline is checked on the monotonic clock,
    /// so a process that was paused past it (SIGSTOP, a long GC, a frozen VM) reads <see langword="false"/> on its first
    /// read after it resumes, and that read ends the term (<see cref="LeadershipToken"/> fires).
    /// </summary>
    bool IsLeader { get; }

    /// <summary>
    /// The current term's fencing token, or 0 when this instance does not lead: every later term, of any instance, has a
    /// greater one (the Raft index at which Consul recorded the acquisition of <see cref="Key"/>). Read it once with the
    /// leadership and send it with every write the leader makes; a resource that refuses tokens lower than the highest it
    /// has seen cannot be written by a leader that was paused after another had taken over. Implementations outside this
    /// library that do not provide one return 0.
    /// </summary>
    ulong FencingToken => 0;

    /// <summary>
    /// Fires when the current term ends; already cancelled when this instance does not lead. It fires before this
    /// instance's session can expire at Consul (see <see cref="ConsulSessionOptions.StepDownAfter"/>), so work bound to
    /// it stops before another instance can become leader, unless the process itself is paused: then it fires at the
    /// first read of this property or <see cref="IsLeader"/> after the pause, or when the deadline timer runs.
    /// </summary>
    CancellationToken LeadershipToken { get; }

    /// <summary>Completes when this instance leads, with the token of that term (see <see cref="LeadershipToken"/>).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The term's token.</returns>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);

    /// <summary>Raised when this instance becomes leader or steps down (on the election's own thread: keep handlers short).</summary>
    event EventHandler<ConsulLeadershipChangedEventArgs>? LeadershipChanged;
}
