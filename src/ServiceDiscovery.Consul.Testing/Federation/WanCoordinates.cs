// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Federation;

/// <summary>serf/coordinate's distance estimate between two Vivaldi coordinates (<c>DistanceTo</c>).</summary>
internal static class WanCoordinates
{
    /// <summary>The error estimate of a coordinate that has settled (serf starts at 1.5 and shrinks as it measures).</summary>
    public const double SettledError = 0.05;

    /// <summary>
    /// The estimated round-trip time in seconds: the Euclidean distance of the vectors plus both heights, plus both
    /// adjustments when that keeps it positive.
    /// </summary>
    public static double Distance(NetworkCoordinate a, NetworkCoordinate b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Vec.Count; i++)
        {
            var d = a.Vec[i] - b.Vec[i];
            sum += d * d;
        }

        var dist = Math.Sqrt(sum) + a.Height + b.Height;
        var adjusted = dist + a.Adjustment + b.Adjustment;
        return adjusted > 0 ? adjusted : dist;
    }
}
