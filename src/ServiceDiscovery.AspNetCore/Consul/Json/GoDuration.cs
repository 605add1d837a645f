// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.AspNetCore.Consul.Json;

/// <summary>
/// Go's <c>time.Duration</c> text form, which Consul writes in responses and accepts in request bodies
/// (docs/consul-http-api.md §0): <c>10s</c>, <c>1m30s</c>, <c>500ms</c>, <c>1h0m0s</c>.
/// </summary>
internal static class GoDuration
{
    /// <summary>Formats <paramref name="value"/> the way Go's <c>Duration.String()</c> does (ASCII <c>us</c> for microseconds).</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder(16);
        if (value < TimeSpan.Zero)
        {
            builder.Append('-');
            value = value == TimeSpan.MinValue ? TimeSpan.MaxValue : value.Negate();
        }

        var ticks = value.Ticks;
        if (ticks < TimeSpan.TicksPerSecond)
        {
            // Sub-second values use the largest unit that keeps the integer part non-zero, as Go does.
            if (ticks < TimeSpan.TicksPerMillisecond)
            {
                if (ticks < TimeSpan.TicksPerMicrosecond)
                {
                    return builder.Append(ticks * 100).Append("ns").ToString();
                }

                AppendFraction(builder, ticks, TimeSpan.TicksPerMicrosecond);
                return builder.Append("us").ToString();
            }

            AppendFraction(builder, ticks, TimeSpan.TicksPerMillisecond);
            return builder.Append("ms").ToString();
        }

        var hours = ticks / TimeSpan.TicksPerHour;
        ticks -= hours * TimeSpan.TicksPerHour;
        var minutes = ticks / TimeSpan.TicksPerMinute;
        ticks -= minutes * TimeSpan.TicksPerMinute;
        if (hours > 0)
        {
            builder.Append(hours).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(minutes).Append('m');
        }

        AppendFraction(builder, ticks, TimeSpan.TicksPerSecond);
        return builder.Append('s').ToString();
    }

    /// <summary>Parses Go's <c>time.ParseDuration</c> syntax: an optional sign, then one or more decimal numbers each with a unit.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.IsEmpty)
        {
            return false;
        }

        var negative = false;
        if (text[0] is '-' or '+')
        {
            negative = text[0] == '-';
            text = text[1..];
        }

        if (text is "0")
        {
            return true;
        }

        if (text.IsEmpty)
        {
            return false;
        }

        decimal totalTicks = 0;
        while (!text.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < text.Length && (char.IsAsciiDigit(text[numberLength]) || text[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !decimal.TryParse(text[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            text = text[numberLength..];
            var unitLength = 0;
            while (unitLength < text.Length && !char.IsAsciiDigit(text[unitLength]) && text[unitLength] != '.')
            {
                unitLength++;
            }

            decimal ticksPerUnit = text[..unitLength] switch
            {
                "ns" => 0.01m,
                "us" or "\u00b5s" or "\u03bcs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => -1m,
            };
            if (ticksPerUnit < 0)
            {
                return false;
            }

            totalTicks += number * ticksPerUnit;
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                return false;
            }

            text = text[unitLength..];
        }

        var ticks = (long)decimal.Round(totalTicks, MidpointRounding.ToZero);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    private static void AppendFraction(StringBuilder builder, long ticks, long ticksPerUnit)
    {
        builder.Append(ticks / ticksPerUnit);
        var remainder = ticks % ticksPerUnit;
        if (remainder == 0)
        {
            return;
        }

        var digits = ticksPerUnit.ToString(CultureInfo.InvariantCulture).Length - 1;
        var fraction = remainder.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        builder.Append('.').Append(fraction);
    }
}
