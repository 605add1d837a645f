// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// What this process knows of each instance from its own traffic: requests in flight (for power-of-two-choices)
/// and passive ejection after a connection failure.
/// </summary>
/// <remarks>
/// State hangs off the instance object itself. Discovery keeps an unchanged instance's object across list updates, so
/// the state lives as long as Consul reports the instance unchanged; two instances that share an id on different nodes
/// (Consul's default id is the service name) stay apart; and state goes with the instance, with no table to prune as
/// instances come and go. An instance whose health or address changes starts afresh, as Consul's newer view supersedes
/// what this process saw.
/// </remarks>
internal sealed class InstanceHealthTracker(TimeProvider timeProvider, IOptionsMonitor<ConsulOptions> options)
{
    private readonly ConditionalWeakTable<ConsulServiceInstance, InstanceState> _states = [];

    public int InFlight(ConsulServiceInstance instance)
        => _states.TryGetValue(instance, out var state) ? Volatile.Read(ref state.InFlight) : 0;

    public void RequestStarted(ConsulServiceInstance instance) => Interlocked.Increment(ref Get(instance).InFlight);

    public void RequestEnded(ConsulServiceInstance instance) => Interlocked.Decrement(ref Get(instance).InFlight);

    public bool IsEjected(ConsulServiceInstance instance)
        => _states.TryGetValue(instance, out var state)
           && Volatile.Read(ref state.EjectedUntil) is var until and not 0
           && until > timeProvider.GetTimestamp();

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

    /// <summary>How many 5xx answers in a row eject an instance, and the key that sets it under the bound section.</summary>
    public (int Limit, string SettingKey) EjectionThreshold
        => (options.CurrentValue.LoadBalancing.ConsecutiveFailuresToEject, $"{options.CurrentValue.Client.SectionPath}:LoadBalancing:ConsecutiveFailuresToEject");

    /// <summary>
    /// Counts consecutive 5xx answers of <paramref name="instance"/> and ejects it when they reach
    /// <c>LoadBalancing:ConsecutiveFailuresToEject</c>; true when this answer ejected it.
    /// </summary>
    public bool RecordAnswer(ConsulServiceInstance instance, int statusCode)
    {
        var limit = options.CurrentValue.LoadBalancing.ConsecutiveFailuresToEject;
        if (limit <= 0)
        {
            return false;
        }

        var state = Get(instance);
        if (statusCode < 500)
        {
            Volatile.Write(ref state.Consecutive5xx, 0);
            return false;
        }

        if (Interlocked.Increment(ref state.Consecutive5xx) < limit)
        {
            return false;
        }

        Volatile.Write(ref state.Consecutive5xx, 0);
        return Eject(instance);
    }

    private InstanceState Get(ConsulServiceInstance instance) => _states.GetValue(instance, static _ => new InstanceState());

    private sealed class InstanceState
    {
        public int InFlight;
        public long EjectedUntil;
        public int Consecutive5xx;
    }
}
