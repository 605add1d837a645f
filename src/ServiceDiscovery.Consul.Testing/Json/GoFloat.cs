// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// A float64 as Go's encoding/json writes it: the shortest round-trip digits, in plain decimal notation unless the
/// magnitude is below 1e-6 or at least 1e21, where it uses an exponent (<c>1e-07</c>, <c>1e+21</c>).
/// </summary>
internal static class GoFloat
{
    public static string Format(double value)
    {
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var abs = Math.Abs(value);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            // .NET writes E-07 / E+21; Go writes e-07 / e+21 with at least two exponent digits.
            var mantissa = shortest.Split('E')[0];
            var exponent = int.Parse(shortest.Split('E')[1], CultureInfo.InvariantCulture);
            return $"{mantissa}e{(exponent < 0 ? '-' : '+')}{Math.Abs(exponent):00}";
        }

        return shortest.Contains('E', StringComparison.Ordinal) ? Expand(shortest) : shortest;
    }

    /// <summary>Rewrites <c>d.dddE±x</c> in plain decimal notation without changing its digits.</summary>
    private static string Expand(string scientific)
    {
        var parts = scientific.Split('E');
        var negative = parts[0].StartsWith('-');
        var mantissa = parts[0].TrimStart('-');
        var exponent = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = mantissa.Replace(".", string.Empty, StringComparison.Ordinal);
        var point = (dot < 0 ? mantissa.Length : dot) + exponent;
        var text = new StringBuilder();
        if (point <= 0)
        {
            text.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            text.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            text.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return (negative ? "-" : string.Empty) + text;
    }
}
