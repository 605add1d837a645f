// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Go's <c>time.ParseDuration</c> and <c>time.Duration.String</c>: Consul reads and prints every duration this way,
/// and real clients send fractions (<c>"15.0s"</c>) and odd units (<c>"100000ms"</c>).
/// </summary>
internal static class GoDuration
{
    private const long NanosPerTick = 100;

    /// <summary>Parses a Go duration string. Returns false with Go's error text when it is not one.</summary>
    public static bool TryParse(string text, out TimeSpan value, out string error)
    {
        var parsed = TryParseNanoseconds(text, out var nanos, out error);
        value = parsed ? FromNanoseconds(nanos) : TimeSpan.Zero;
        return parsed;
    }

    /// <summary>Parses a Go duration string to whole nanoseconds, as <c>time.ParseDuration</c> does.</summary>
    public static bool TryParseNanoseconds(string text, out long value, out string error)
    {
        value = 0;
        error = $"time: invalid duration \"{text}\"";
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s.SequenceEqual("0"))
        {
            return true;
        }

        if (s.IsEmpty)
        {
            return false;
        }

        decimal totalNanos = 0;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || s[..i].SequenceEqual("."))
            {
                return false;
            }

            if (!decimal.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            s = s[i..];
            var u = 0;
            while (u < s.Length && !char.IsAsciiDigit(s[u]) && s[u] != '.')
            {
                u++;
            }

            if (u == 0)
            {
                error = $"time: missing unit in duration \"{text}\"";
                return false;
            }

            decimal unit;
            switch (s[..u])
            {
                case "ns": unit = 1m; break;
                case "us": case "µs": case "μs": unit = 1_000m; break;
                case "ms": unit = 1_000_000m; break;
                case "s": unit = 1_000_000_000m; break;
                case "m": unit = 60_000_000_000m; break;
                case "h": unit = 3_600_000_000_000m; break;
                default:
                    error = $"time: unknown unit \"{s[..u].ToString()}\" in duration \"{text}\"";
                    return false;
            }

            totalNanos += number * unit;
            if (totalNanos > long.MaxValue)
            {
                return false;
            }

            s = s[u..];
        }

        var nanos = (long)decimal.Truncate(totalNanos);
        value = negative ? -nanos : nanos;
        return true;
    }

    /// <summary>
    /// A JSON number in a duration field is nanoseconds (Go's <c>time.Duration</c>). A TimeSpan counts 100 ns ticks, so
    /// a remainder is rounded away from zero: a 1 ns TTL stays a positive duration, as it is in Consul, instead of
    /// becoming the zero that Consul's validation would refuse.
    /// </summary>
    public static TimeSpan FromNanoseconds(long nanos)
    {
        var ticks = nanos / NanosPerTick;
        var remainder = nanos % NanosPerTick;
        return TimeSpan.FromTicks(remainder > 0 ? ticks + 1 : remainder < 0 ? ticks - 1 : ticks);
    }

    /// <summary>
    /// A JSON number read as Go converts a <c>float64</c> to <c>time.Duration</c>: the fraction of a nanosecond is
    /// dropped (<c>1.9</c> is 1 ns, <c>0.5</c> is 0).
    /// </summary>
    public static TimeSpan FromJsonNumber(System.Text.Json.JsonElement number) =>
        FromNanoseconds(number.TryGetInt64(out var n) ? n : (long)Math.Truncate(number.GetDouble()));

    /// <summary>Formats as Go's <c>Duration.String()</c>: <c>10s</c>, <c>1m0s</c>, <c>1m30s</c>, <c>500ms</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var nanos = value.Ticks * NanosPerTick;
        if (nanos == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (nanos < 0)
        {
            sb.Append('-');
            nanos = -nanos;
        }

        if (nanos < 1_000_000_000)
        {
            // Sub-second values use the largest unit that keeps the integer part non-zero.
            (long div, string unit) = nanos < 1_000 ? (1L, "ns") : nanos < 1_000_000 ? (1_000L, "µs") : (1_000_000L, "ms");
            sb.Append(FormatFraction(nanos, div)).Append(unit);
            return sb.ToString();
        }

        var hours = nanos / 3_600_000_000_000;
        nanos -= hours * 3_600_000_000_000;
        var minutes = nanos / 60_000_000_000;
        nanos -= minutes * 60_000_000_000;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }

        if (hours > 0 || minutes > 0)
        {
            sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }

        sb.Append(FormatFraction(nanos, 1_000_000_000)).Append('s');
        return sb.ToString();
    }

    /// <summary>Formats as the Go client sends <c>wait</c>: whole milliseconds, at least 1ms.</summary>
    public static string FormatMilliseconds(TimeSpan value) =>
        Math.Max(1, (long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string FormatFraction(long value, long divisor)
    {
        var whole = value / divisor;
        var fraction = value % divisor;
        if (fraction == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }

        var digits = divisor.ToString(CultureInfo.InvariantCulture).Length - 1;
        var fractionText = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return whole.ToString(CultureInfo.InvariantCulture) + "." + fractionText;
    }
}
