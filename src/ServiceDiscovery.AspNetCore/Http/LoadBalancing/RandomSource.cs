// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http.LoadBalancing;

/// <summary>
/// The randomness of the random balancers: a uniform source in [0, 1), as the discovery watch takes its jitter, so that
/// tests (and a seeded source) get a reproducible sequence of picks. The default is <see cref="Random.Shared"/>.
/// </summary>
/// <remarks>Picks run concurrently: a source must be thread-safe (a seeded <see cref="Random"/> is not, on its own).</remarks>
internal static class RandomSource
{
    public static readonly Func<double> Shared = Random.Shared.NextDouble;

    /// <summary>An index below <paramref name="count"/> (a source returning 1 or more, or less than 0, is clamped).</summary>
    public static int Below(this Func<double> random, int count) => (int)Below(random, (long)count);

    /// <summary>A value in [0, <paramref name="count"/>) (a source returning 1 or more, or less than 0, is clamped).</summary>
    public static long Below(this Func<double> random, long count) => Math.Clamp((long)(random() * count), 0, count - 1);
}
