// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The user events an agent received (agent.go <c>eventBuf</c>): a ring of the last 256, oldest first, each
/// stamped with the next tick of serf's event clock, which starts at 1. Thread-safe.
/// </summary>
internal sealed class UserEventLog
{
    /// <summary>Consul's <c>eventBuf</c> size.</summary>
    public const int Capacity = 256;

    private readonly Queue<UserEvent> _events = new();
    private readonly Lock _sync = new();
    private ulong _clock = 1;

    /// <summary>Stores a received event with its Lamport time and returns it.</summary>
    public UserEvent Receive(UserEvent e)
    {
        lock (_sync)
        {
            var received = e with { LTime = _clock++ };
            _events.Enqueue(received);
            if (_events.Count > Capacity)
            {
                _events.Dequeue();
            }

            return received;
        }
    }

    /// <summary>The events held, oldest first.</summary>
    public List<UserEvent> Snapshot()
    {
        lock (_sync)
        {
            return [.. _events];
        }
    }
}
