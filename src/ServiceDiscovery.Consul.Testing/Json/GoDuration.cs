// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// A Go <c>time.Duration</c>: whole nanoseconds, parsed as <c>time.ParseDuration</c> and printed as
/// <c>Duration.String()</c>. Consul reads and prints every duration this way; real clients send fractions
/// (<c>"15.0s"</c>), odd units (<c>"100000ms"</c>) and nanosecond numbers (<c>"TTL": 1</c>), and an answer must print
/// back what was sent (<c>1ns</c>, not <c>100ns</c>), so durations read from a body are kept as this, not as a
/// <see cref="TimeSpan"/> (100 ns ticks). Timers take <see cref="ToTimeSpan"/>.
/// </summary>
/// <param name="Nanoseconds">The duration in nanoseconds.</param>
internal readonly record struct GoDuration(long Nanoseconds) : IComparable<GoDuration>
{
    private const long NanosPerTick = 100;

    /// <summary>Gets whether the duration is greater than zero (Consul's <c>&gt; 0</c> checks).</summary>
    public bool IsPositive => Nanoseconds > 0;

    public static bool operator <(GoDuration left, GoDuration right) => left.Nanoseconds < right.Nanoseconds;

    public static bool operator >(GoDuration left, GoDuration right) => left.Nanoseconds > right.Nanoseconds;

    public static bool operator <=(GoDuration left, GoDuration right) => left.Nanoseconds <= right.Nanoseconds;

    public static bool operator >=(GoDuration left, GoDuration right) => left.Nanoseconds >= right.Nanoseconds;

    /// <summary>The duration a <see cref="TimeSpan"/> holds (a whole number of ticks, so exact).</summary>
    public static GoDuration FromTimeSpan(TimeSpan value) => new(value.Ticks * NanosPerTick);

    /// <summary>Parses a Go duration string. Returns false with Go's error text when it is not one.</summary>
    public static bool TryParse(string text, out GoDuration value, out string error)
    {
        var parsed = TryParseNanoseconds(text, out var nanos, out error);
        value = new GoDuration(parsed ? nanos : 0);
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
    /// A JSON number read as Go converts a <c>float64</c> to <c>time.Duration</c>: nanoseconds, the fraction of a
    /// nanosecond dropped (<c>1.9</c> is 1 ns, <c>0.5</c> is 0).
    /// </summary>
    public static GoDuration FromJsonNumber(System.Text.Json.JsonElement number) =>
        new(number.TryGetInt64(out var n) ? n : (long)Math.Truncate(number.GetDouble()));

    /// <summary>Formats a <see cref="TimeSpan"/> (a latency, a configured limit) as Go's <c>Duration.String()</c>.</summary>
    public static string Format(TimeSpan value) => Format(value.Ticks * NanosPerTick);

    /// <summary>Formats as the Go client sends <c>wait</c>: whole milliseconds, at least 1ms.</summary>
    public static string FormatMilliseconds(TimeSpan value) =>
        Math.Max(1, (long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    /// <summary>
    /// The duration for timers and clocks, which count 100 ns ticks. A remainder is rounded away from zero: a timer
    /// never fires before the Go duration has passed, and a 1 ns TTL stays a positive duration (it expires on the next
    /// tick) instead of becoming the zero that means "no TTL".
    /// </summary>
    public TimeSpan ToTimeSpan()
    {
        var ticks = Nanoseconds / NanosPerTick;
        var remainder = Nanoseconds % NanosPerTick;
        return TimeSpan.FromTicks(remainder > 0 ? ticks + 1 : remainder < 0 ? ticks - 1 : ticks);
    }

    public int CompareTo(GoDuration other) => Nanoseconds.CompareTo(other.Nanoseconds);

    /// <summary>Go's <c>Duration.String()</c>: <c>1ns</c>, <c>1.5µs</c>, <c>500ms</c>, <c>10s</c>, <c>1m0s</c>, <c>0s</c>.</summary>
    public override string ToString() => Format(Nanoseconds);

    private static string Format(long nanos)
    {
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
