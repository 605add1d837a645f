// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

public sealed class GoDurationTests
{
    public static TheoryData<TimeSpan, string> Formats => new()
    {
        { TimeSpan.Zero, "0s" },
        { TimeSpan.FromSeconds(10), "10s" },
        { TimeSpan.FromSeconds(90), "1m30s" },
        { TimeSpan.FromMinutes(1), "1m0s" },
        { TimeSpan.FromMilliseconds(500), "500ms" },
        { TimeSpan.FromMilliseconds(1.5), "1.5ms" },
        { TimeSpan.FromMicroseconds(250), "250us" },
        { TimeSpan.FromTicks(3), "300ns" },
        { TimeSpan.FromSeconds(1.25), "1.25s" },
        { new TimeSpan(0, 2, 0, 0), "2h0m0s" },
        { new TimeSpan(1, 1, 1, 1), "25h1m1s" },
        { TimeSpan.FromSeconds(-5), "-5s" },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void Format_MatchesGoDurationString(TimeSpan value, string expected)
        => Assert.Equal(expected, GoDuration.Format(value));

    [Theory]
    [MemberData(nameof(Formats))]
    public void TryParse_ReadsWhatFormatWrites(TimeSpan expected, string text)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("15.0s", 15_000)]
    [InlineData("0.001s", 1)]
    [InlineData("100000ms", 100_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2\u00b5s", 0.002)]
    [InlineData("+3s", 3_000)]
    [InlineData("0", 0)]
    public void TryParse_RealClientForms(string text, double expectedMilliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("10x")]
    [InlineData("-")]
    [InlineData("1..2s")]
    [InlineData("99999999999999h")]
    public void TryParse_Invalid_False(string text)
        => Assert.False(GoDuration.TryParse(text, out _));
}
