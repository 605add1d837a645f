// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>Parses a request body as one JSON value, with Go's texts for an empty or malformed body.</summary>
internal static class JsonBody
{
    public static JsonDocument Parse(ReadOnlyMemory<byte> body)
    {
        var span = body.Span;
        var start = 0;
        while (start < span.Length && span[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            start++;
        }

        if (start == span.Length)
        {
            throw new JsonDecodeException("EOF");
        }

        try
        {
            return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            var c = (char)span[start];
            // Go names the first offending character; a truncated document is "unexpected EOF".
            throw new JsonDecodeException(c is '{' or '[' or '"' || char.IsAsciiDigit(c)
                ? "unexpected EOF"
                : $"invalid character '{c}' looking for beginning of value", ex);
        }
    }
}
