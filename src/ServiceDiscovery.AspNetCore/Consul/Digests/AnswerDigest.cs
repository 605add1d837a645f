// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Text;
using System.Text.Json;

namespace ServiceDiscovery.AspNetCore.Consul.Digests;

/// <summary>
/// What <see cref="HealthStateDigest"/> and <see cref="CatalogServicesDigest"/> share: reading a whole answer into a
/// pooled buffer, hashing string values by their unescaped UTF-8 text (so a value Go escaped, <c>\u003c</c>, hashes as
/// the same text decoded, <c>&lt;</c>), and folding item hashes into a digest.
/// </summary>
/// <remarks>Hashes are <see cref="HashCode"/>s, seeded per process: digests are only compared within one process.</remarks>
internal static class AnswerDigest
{
    /// <summary>Largest datacenter-wide answer read (it is parsed at once): about 500,000 checks.</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    /// <summary>Service names up to this many characters are decoded on the stack.</summary>
    public const int StackNameChars = 256;

    /// <summary>The digest of a name present with no items: differs from an absent name (no entry at all).</summary>
    public static ulong Empty => 0;

    /// <summary>Counts one more item into a digest: count in the high 32 bits, XOR of the item hashes in the low 32.</summary>
    public static ulong Add(ulong digest, int hash) => (((digest >> 32) + 1) << 32) | ((uint)digest ^ (uint)hash);

    /// <summary>Reads <paramref name="body"/> to its end into a pooled buffer and hands the bytes to <paramref name="parse"/>.</summary>
    public static async ValueTask<T> ReadAsync<T>(Stream body, Func<byte[], int, T> parse, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var filled = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
                if (filled == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return parse(buffer, filled);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Moves to the next token, failing on a truncated answer.</summary>
    public static JsonTokenType Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The answer ended before its JSON did.");
        }

        return reader.TokenType;
    }

    /// <summary>Moves to the next token, which must be <paramref name="expected"/>.</summary>
    public static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (Read(ref reader) != expected)
        {
            throw new JsonException($"Expected {expected}, found {reader.TokenType}.");
        }
    }

    /// <summary>Decodes the current string token into <paramref name="chars"/> (rented when too small); returns the length.</summary>
    public static int CopyName(in Utf8JsonReader reader, ref Span<char> chars, ref char[]? rented)
    {
        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (length > chars.Length)
        {
            rented = ArrayPool<char>.Shared.Rent((int)length);
            chars = rented;
        }

        return reader.CopyString(chars);
    }

    /// <summary>Hash of the current string token's text (0 for null; 1 for any other kind of value, skipped).</summary>
    public static int HashValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return 0;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return 1;
        }

        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return HashBytes(reader.ValueSpan);
        }

        var rented = ArrayPool<byte>.Shared.Rent(checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length)));
        try
        {
            return HashBytes(rented.AsSpan(0, reader.CopyString(rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The hash <see cref="HashValue"/> gives the same text in JSON (0 for null).</summary>
    public static int HashText(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return HashBytes(rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int HashBytes(ReadOnlySpan<byte> bytes)
    {
        var hash = default(HashCode);
        hash.AddBytes(bytes);
        return hash.ToHashCode();
    }
}
