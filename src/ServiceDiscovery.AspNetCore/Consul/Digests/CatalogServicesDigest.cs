// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using System.Text.Json;
using static ServiceDiscovery.AspNetCore.Consul.Digests.AnswerDigest;

namespace ServiceDiscovery.AspNetCore.Consul.Digests;

/// <summary>
/// Service name → digest of its tags in a <c>/v1/catalog/services</c> answer (see <see cref="AnswerDigest.Add"/>):
/// tags in any order give the same digest (Consul deduplicates them), a name present without tags is
/// <see cref="AnswerDigest.Empty"/>, an absent name has no entry.
/// </summary>
internal static class CatalogServicesDigest
{
    /// <summary>Reads a <c>/v1/catalog/services</c> body to its end and digests it.</summary>
    public static ValueTask<Dictionary<string, ulong>> ReadAsync(Stream body, CancellationToken cancellationToken)
        => AnswerDigest.ReadAsync(body, static (buffer, length) => Parse(buffer.AsSpan(0, length)), cancellationToken);

    /// <summary>Digests a whole <c>/v1/catalog/services</c> body (a JSON object of name → tags array or null).</summary>
    /// <exception cref="JsonException">The body is not a JSON object of string arrays.</exception>
    public static Dictionary<string, ulong> Parse(ReadOnlySpan<byte> json)
    {
        var digests = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var byName = digests.GetAlternateLookup<ReadOnlySpan<char>>();
        var reader = new Utf8JsonReader(json);
        Span<char> stackName = stackalloc char[StackNameChars];
        Expect(ref reader, JsonTokenType.StartObject);
        while (Read(ref reader) == JsonTokenType.PropertyName)
        {
            var name = stackName;
            char[]? rentedName = null;
            var nameLength = CopyName(in reader, ref name, ref rentedName);
            var digest = Empty;
            if (Read(ref reader) == JsonTokenType.StartArray)
            {
                while (Read(ref reader) != JsonTokenType.EndArray)
                {
                    digest = Add(digest, HashValue(ref reader));
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                throw new JsonException($"Expected the tags of '{name[..nameLength]}' as an array, found {reader.TokenType}.");
            }

            CollectionsMarshal.GetValueRefOrAddDefault(byName, name[..nameLength], out _) = digest;
            if (rentedName is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rentedName);
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new JsonException($"Expected a service name, found {reader.TokenType}.");
        }

        return digests;
    }

    /// <summary>The same digests as <see cref="Parse"/>, from an answer already decoded.</summary>
    public static Dictionary<string, ulong> Of(IReadOnlyDictionary<string, IReadOnlyList<string>> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var digests = new Dictionary<string, ulong>(services.Count, StringComparer.Ordinal);
        foreach (var (name, tags) in services)
        {
            var digest = Empty;
            foreach (var tag in tags)
            {
                digest = Add(digest, HashText(tag));
            }

            digests[name] = digest;
        }

        return digests;
    }
}
