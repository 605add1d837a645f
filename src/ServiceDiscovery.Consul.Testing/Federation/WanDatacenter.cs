// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Numerics;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Federation;

/// <summary>
/// One datacenter as the simulated WAN sees it: its name, its servers' state store, its place on the WAN (from which
/// round-trip times and WAN coordinates follow) and its fault hooks (unreachable, extra latency).
/// </summary>
internal sealed class WanDatacenter
{
    private long _latencyTicks;
    private volatile bool _reachable = true;

    public WanDatacenter(string name, StateStore store, Vector2 position)
    {
        Name = name;
        Store = store;
        Position = position;
    }

    public string Name { get; }

    /// <summary>Gets the datacenter's state: catalog, KV, sessions, prepared queries and its own index.</summary>
    public StateStore Store { get; }

    /// <summary>Gets the datacenter's place on the WAN plane, in milliseconds.</summary>
    public Vector2 Position { get; }

    /// <summary>Gets the WAN coordinate its server reports: the position in seconds on the first two axes.</summary>
    public NetworkCoordinate Coordinate
    {
        get
        {
            var vec = new double[NetworkCoordinate.Dimensionality];
            vec[0] = Position.X / 1000.0;
            vec[1] = Position.Y / 1000.0;
            return NetworkCoordinate.Origin with { Vec = vec, Error = WanCoordinates.SettledError };
        }
    }

    /// <summary>Gets or sets a value indicating whether requests forwarded here reach a server.</summary>
    public bool Reachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    /// <summary>Gets or sets the delay every request forwarded here waits before it is answered.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }
}
