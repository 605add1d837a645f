// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A Vivaldi network coordinate (serf/coordinate <c>Coordinate</c>): an 8-dimensional vector, its error estimate, the
/// adjustment and the height. <see cref="Origin"/> is what a node that has measured nobody holds.
/// </summary>
internal sealed record NetworkCoordinate(IReadOnlyList<double> Vec, double Error, double Adjustment, double Height)
{
    /// <summary>serf's default dimensionality.</summary>
    public const int Dimensionality = 8;

    /// <summary>Gets the coordinate of a fresh node: the origin, <c>VivaldiErrorMax</c> 1.5, no adjustment, <c>HeightMin</c> 10e-6.</summary>
    public static NetworkCoordinate Origin { get; } = new(new double[Dimensionality], 1.5, 0, 10e-6);

    /// <summary>serf's <c>IsValid</c>: every component finite.</summary>
    public bool IsValid => Vec.All(double.IsFinite) && double.IsFinite(Error) && double.IsFinite(Adjustment) && double.IsFinite(Height);
}
