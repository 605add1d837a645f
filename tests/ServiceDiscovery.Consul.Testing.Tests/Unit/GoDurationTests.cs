// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

public sealed class GoDurationTests
{
    [Theory]
    [InlineData("10s", 10_000)]
    [InlineData("15.0s", 15_000)]
    [InlineData("0.001s", 1)]
    [InlineData("100000ms", 100_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("0", 0)]
    [InlineData("1.5m", 90_000)]
    public void TryParse_GoDuration_Parses(string text, long milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value.ToTimeSpan());
    }

    [Theory]
    [InlineData("abc", "time: invalid duration \"abc\"")]
    [InlineData("10", "time: missing unit in duration \"10\"")]
    [InlineData("10x", "time: unknown unit \"x\" in duration \"10x\"")]
    [InlineData("", "time: invalid duration \"\"")]
    public void TryParse_Invalid_GivesGoError(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var message));
        Assert.Equal(error, message);
    }

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(500, "500ms")]
    [InlineData(0, "0s")]
    [InlineData(3_600_000, "1h0m0s")]
    [InlineData(1_500, "1.5s")]
    public void Format_MatchesGoDurationString(long milliseconds, string expected)
    {
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Theory]
    [InlineData(1L, 1L)]
    [InlineData(99L, 1L)]
    [InlineData(100L, 1L)]
    [InlineData(101L, 2L)]
    [InlineData(0L, 0L)]
    [InlineData(-1L, -1L)]
    [InlineData(15_000_000_000L, 150_000_000L)]
    public void ToTimeSpan_RoundsAwayFromZero_SoATinyDurationStaysNonZero(long nanos, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), new GoDuration(nanos).ToTimeSpan());
    }

    [Theory]
    [InlineData(1L, "1ns")]
    [InlineData(101L, "101ns")]
    [InlineData(1_001L, "1.001µs")]
    [InlineData(1_000_001L, "1.000001ms")]
    [InlineData(1_000_000_001L, "1.000000001s")]
    [InlineData(3_600_000_000_001L, "1h0m0.000000001s")]
    [InlineData(-1L, "-1ns")]
    [InlineData(0L, "0s")]
    public void ToString_PrintsEveryNanosecond_AsGoDoes(long nanos, string expected)
    {
        Assert.Equal(expected, new GoDuration(nanos).ToString());
    }

    [Theory]
    [InlineData("1ns")]
    [InlineData("1.000000001s")]
    [InlineData("1h0m0.000000001s")]
    [InlineData("999.999999ms")]
    public void ParseThenPrint_RoundTripsExactly(string text)
    {
        Assert.True(GoDuration.TryParse(text, out var value, out _));
        Assert.Equal(text, value.ToString());
    }

    [Theory]
    [InlineData("1ns", 1L)]
    [InlineData("999ns", 999L)]
    [InlineData("1us", 1_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData("-2ms", -2_000_000L)]
    public void TryParseNanoseconds_KeepsEveryNanosecond(string text, long nanos)
    {
        Assert.True(GoDuration.TryParseNanoseconds(text, out var value, out _));
        Assert.Equal(nanos, value);
    }

    [Theory]
    [InlineData("1", 1L)]
    [InlineData("1.9", 1L)]
    [InlineData("0.5", 0L)]
    [InlineData("-1.9", -1L)]
    [InlineData("1e9", 1_000_000_000L)]
    public void FromJsonNumber_TruncatesLikeGosFloatToDuration(string json, long nanos)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(nanos, GoDuration.FromJsonNumber(document.RootElement).Nanoseconds);
    }
}
