// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

public sealed class GoFloatTests
{
    [Theory]
    [InlineData(0d, "0")]
    [InlineData(1.5d, "1.5")]
    [InlineData(10e-6, "0.00001")]
    [InlineData(-0.000123d, "-0.000123")]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789012345678d, "123456789012345680")]
    public void Format_MatchesGoEncodingJson(double value, string expected) => Assert.Equal(expected, GoFloat.Format(value));
}
