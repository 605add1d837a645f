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

    /// <summary>Whether this instance leads now.</summary>
    bool IsLeader { get; }

    /// <summary>
    /// Fires when the current term ends; already cancelled when this instance does not lead. It fires before this
    /// instance's session can expire at Consul (see <see cref="ConsulSessionOptions.StepDownAfter"/>), so work bound to
    /// it stops before another instance can become leader.
    /// </summary>
    CancellationToken LeadershipToken { get; }

    /// <summary>Completes when this instance leads, with the token of that term (see <see cref="LeadershipToken"/>).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The term's token.</returns>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken);

    /// <summary>Raised when this instance becomes leader or steps down (on the election's own thread: keep handlers short).</summary>
    event EventHandler<ConsulLeadershipChangedEventArgs>? LeadershipChanged;
}
