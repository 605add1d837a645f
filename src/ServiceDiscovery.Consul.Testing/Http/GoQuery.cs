// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// A query string read like Go's <c>url.ParseQuery</c>: <c>+</c> is a space, keys keep their order of values, and
/// a bare key (<c>?passing</c>) is present with the empty value.
/// </summary>
internal sealed class GoQuery
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);

    public GoQuery(string rawQuery)
    {
        Raw = rawQuery;
        foreach (var part in rawQuery.Split('&'))
        {
            // Go drops pairs with a ';' (and malformed escapes) rather than failing the request.
            if (part.Length == 0 || part.Contains(';', StringComparison.Ordinal))
            {
                continue;
            }

            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            if (!TryUnescape(key, true, out key) || !TryUnescape(value, true, out value))
            {
                continue;
            }

            if (!_values.TryGetValue(key, out var list))
            {
                _values[key] = list = [];
            }

            list.Add(value);
        }
    }

    /// <summary>Gets the query string as received, without <c>?</c>.</summary>
    public string Raw { get; }

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The first value, or empty (Go's <c>Values.Get</c>).</summary>
    public string Get(string key) => _values.TryGetValue(key, out var list) && list.Count > 0 ? list[0] : string.Empty;

    public IReadOnlyList<string> GetAll(string key) => _values.TryGetValue(key, out var list) ? list : [];

    /// <summary>
    /// Consul's <c>getBoolQueryParam</c>: absent is false, a bare key is true, anything else goes through
    /// <c>strconv.ParseBool</c>. Returns false when the value is not a Go boolean.
    /// </summary>
    public bool TryGetBool(string key, out bool value)
    {
        value = false;
        if (!Has(key))
        {
            return true;
        }

        var raw = Get(key);
        if (raw.Length == 0)
        {
            value = true;
            return true;
        }

        return TryParseGoBool(raw, out value);
    }

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    public static bool TryParseGoBool(string raw, out bool value)
    {
        switch (raw)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Go's <c>url.PathUnescape</c> (or <c>QueryUnescape</c> when <paramref name="plusIsSpace"/>).</summary>
    public static bool TryUnescape(string text, bool plusIsSpace, out string result)
    {
        if (!text.Contains('%', StringComparison.Ordinal) && !(plusIsSpace && text.Contains('+', StringComparison.Ordinal)))
        {
            result = text;
            return true;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
                {
                    result = text;
                    return false;
                }

                bytes.Add((byte)((Uri.FromHex(text[i + 1]) << 4) | Uri.FromHex(text[i + 2])));
                i += 2;
            }
            else if (c == '+' && plusIsSpace)
            {
                bytes.Add((byte)' ');
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        result = Encoding.UTF8.GetString([.. bytes]);
        return true;
    }
}
