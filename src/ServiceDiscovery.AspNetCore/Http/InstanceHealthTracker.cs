// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// What this process knows of each instance from its own traffic: requests in flight (for power-of-two-choices)
/// and passive ejection after a connection failure. Keyed by instance id, so the state survives list updates.
/// </summary>
internal sealed class InstanceHealthTracker(TimeProvider timeProvider, IOptionsMonitor<ConsulOptions> options)
{
    private readonly ConcurrentDictionary<string, InstanceState> _states = new(StringComparer.Ordinal);

    public int InFlight(ConsulServiceInstance instance)
        => _states.TryGetValue(instance.Id, out var state) ? Volatile.Read(ref state.InFlight) : 0;

    public void RequestStarted(ConsulServiceInstance instance) => Interlocked.Increment(ref Get(instance).InFlight);

    public void RequestEnded(ConsulServiceInstance instance) => Interlocked.Decrement(ref Get(instance).InFlight);

    public bool IsEjected(ConsulServiceInstance instance)
        => _states.TryGetValue(instance.Id, out var state)
           && Volatile.Read(ref state.EjectedUntil) > timeProvider.GetTimestamp();

    /// <summary>Avoids <paramref name="instance"/> for <c>Consul:LoadBalancing:EjectionDuration</c>; false when ejection is off.</summary>
    public bool Eject(ConsulServiceInstance instance)
    {
        var duration = options.CurrentValue.LoadBalancing.EjectionDuration;
        if (duration <= TimeSpan.Zero)
        {
            return false;
        }

        var until = timeProvider.GetTimestamp() + (long)(duration.TotalSeconds * timeProvider.TimestampFrequency);
        Volatile.Write(ref Get(instance).EjectedUntil, until);
        return true;
    }

    private InstanceState Get(ConsulServiceInstance instance) => _states.GetOrAdd(instance.Id, static _ => new InstanceState());

    private sealed class InstanceState
    {
        public int InFlight;
        public long EjectedUntil;
    }
}
