// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Service name → digest of that service's checks in a <c>/v1/health/state/:state</c> answer: the number of checks in
/// the high 32 bits, an order-independent combination (XOR) of each check's hash in the low 32. A check's hash covers
/// its node, service ID, check ID, status, output and modify index, so any added, removed or changed check changes
/// its service's digest. Node checks (no service name) belong to no service and are left out.
/// </summary>
/// <remarks>
/// The datacenter watch only needs to know which names changed, and the checks table of a large datacenter is
/// megabytes of JSON (about 470 bytes a check). <see cref="Parse"/> reads the answer with a
/// <see cref="Utf8JsonReader"/> and allocates one string per service name, instead of a
/// <see cref="HealthCheck"/> with a dozen strings per check. Digests are only compared within one process
/// (<see cref="HashCode"/> is seeded per process); <see cref="Of"/> computes the same values from decoded checks.
/// </remarks>
internal static class HealthStateDigest
{
    /// <summary>Largest body read (the whole answer is parsed at once): about 500,000 checks.</summary>
    public const long MaxBodyBytes = 256L * 1024 * 1024;

    private const int StackNameChars = 256;

    /// <summary>Reads a <c>/v1/health/state</c> body from <paramref name="body"/> into a pooled buffer and digests it.</summary>
    public static async ValueTask<Dictionary<string, ulong>> ReadAsync(Stream body, CancellationToken cancellationToken)
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

            return Parse(buffer.AsSpan(0, filled));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Digests a whole <c>/v1/health/state</c> body (a JSON array of checks).</summary>
    /// <exception cref="JsonException">The body is not a JSON array of objects.</exception>
    public static Dictionary<string, ulong> Parse(ReadOnlySpan<byte> json)
    {
        var digests = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var byName = digests.GetAlternateLookup<ReadOnlySpan<char>>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        Span<char> stackName = stackalloc char[StackNameChars];
        Expect(ref reader, JsonTokenType.StartArray);
        while (Read(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"Expected a check object in the array, found {reader.TokenType}.");
            }

            int node = 0, serviceId = 0, checkId = 0, status = 0, output = 0;
            ulong modifyIndex = 0;
            var nameChars = stackName;
            var nameLength = -1;
            char[]? rentedName = null;
            while (Read(ref reader) == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("ServiceName"u8))
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        var length = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
                        if (length > nameChars.Length)
                        {
                            rentedName = ArrayPool<char>.Shared.Rent((int)length);
                            nameChars = rentedName;
                        }

                        nameLength = reader.CopyString(nameChars);
                    }
                }
                else if (reader.ValueTextEquals("Node"u8))
                {
                    node = HashValue(ref reader);
                }
                else if (reader.ValueTextEquals("ServiceID"u8))
                {
                    serviceId = HashValue(ref reader);
                }
                else if (reader.ValueTextEquals("CheckID"u8))
                {
                    checkId = HashValue(ref reader);
                }
                else if (reader.ValueTextEquals("Status"u8))
                {
                    status = HashValue(ref reader);
                }
                else if (reader.ValueTextEquals("Output"u8))
                {
                    output = HashValue(ref reader);
                }
                else if (reader.ValueTextEquals("ModifyIndex"u8))
                {
                    Read(ref reader);
                    if (reader.TokenType == JsonTokenType.Number && !reader.TryGetUInt64(out modifyIndex))
                    {
                        throw new JsonException("ModifyIndex is not an unsigned integer.");
                    }
                }
                else
                {
                    Read(ref reader);
                    reader.Skip();
                }
            }

            if (nameLength > 0)
            {
                var hash = CheckHash(node, serviceId, checkId, status, output, modifyIndex);
                ref var digest = ref CollectionsMarshal.GetValueRefOrAddDefault(byName, nameChars[..nameLength], out _);
                digest = Add(digest, hash);
            }

            if (rentedName is not null)
            {
                ArrayPool<char>.Shared.Return(rentedName);
            }
        }

        return digests;
    }

    /// <summary>The same digests as <see cref="Parse"/>, from checks already decoded.</summary>
    public static Dictionary<string, ulong> Of(IEnumerable<HealthCheck> checks)
    {
        ArgumentNullException.ThrowIfNull(checks);
        var digests = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            if (string.IsNullOrEmpty(check.ServiceName))
            {
                continue;
            }

            var hash = CheckHash(HashText(check.Node), HashText(check.ServiceID), HashText(check.CheckID), HashText(check.Status), HashText(check.Output), check.ModifyIndex);
            ref var digest = ref CollectionsMarshal.GetValueRefOrAddDefault(digests, check.ServiceName, out _);
            digest = Add(digest, hash);
        }

        return digests;
    }

    /// <summary>Counts one more item into a digest: count in the high 32 bits, XOR of the hashes in the low 32.</summary>
    public static ulong Add(ulong digest, int hash) => (((digest >> 32) + 1) << 32) | ((uint)digest ^ (uint)hash);

    private static int CheckHash(int node, int serviceId, int checkId, int status, int output, ulong modifyIndex)
        => HashCode.Combine(node, serviceId, checkId, status, output, modifyIndex);

    /// <summary>Hash of a string value's unescaped UTF-8 bytes (0 for null), equal to <see cref="HashText"/> of the same text.</summary>
    private static int HashValue(ref Utf8JsonReader reader)
    {
        Read(ref reader);
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
            var length = reader.CopyString(rented);
            return HashBytes(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static int HashText(string? text)
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

    private static JsonTokenType Read(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The health state answer ended before its JSON did.");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (Read(ref reader) != expected)
        {
            throw new JsonException($"Expected {expected}, found {reader.TokenType}.");
        }
    }
}
