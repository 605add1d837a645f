// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;
using static ServiceDiscovery.AspNetCore.Consul.Digests.AnswerDigest;

namespace ServiceDiscovery.AspNetCore.Consul.Digests;

/// <summary>
/// Service name → digest of that service's checks in a <c>/v1/health/state/:state</c> answer (see
/// <see cref="AnswerDigest.Add"/>). A check's hash covers its node, service ID, check ID, status, output and modify
/// index, so any added, removed or changed check changes its service's digest. Node checks (no service name) belong
/// to no service and are left out.
/// </summary>
/// <remarks>
/// The datacenter watch only needs to know which names changed, and the checks table of a large datacenter is
/// megabytes of JSON (about 470 bytes a check). <see cref="Parse"/> reads the answer with a
/// <see cref="Utf8JsonReader"/> and allocates one string per service name, where decoding allocates a
/// <see cref="HealthCheck"/> with a dozen strings per check. <see cref="Of"/> gives the same digests from decoded checks.
/// </remarks>
internal static class HealthStateDigest
{
    private const int HashedFields = 5;
    private const int ServiceNameField = 5;
    private const int ModifyIndexField = 6;

    /// <summary>Reads a <c>/v1/health/state</c> body to its end and digests it.</summary>
    public static ValueTask<Dictionary<string, ulong>> ReadAsync(Stream body, CancellationToken cancellationToken)
        => AnswerDigest.ReadAsync(body, static (buffer, length) => Parse(buffer.AsSpan(0, length)), cancellationToken);

    /// <summary>Digests a whole <c>/v1/health/state</c> body (a JSON array of checks).</summary>
    /// <exception cref="JsonException">The body is not a JSON array of objects.</exception>
    public static Dictionary<string, ulong> Parse(ReadOnlySpan<byte> json)
    {
        var digests = new Dictionary<string, ulong>(StringComparer.Ordinal);
        var byName = digests.GetAlternateLookup<ReadOnlySpan<char>>();
        var reader = new Utf8JsonReader(json);
        Span<char> stackName = stackalloc char[StackNameChars];
        Span<int> hashes = stackalloc int[HashedFields];
        Expect(ref reader, JsonTokenType.StartArray);
        while (Read(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"Expected a check object in the array, found {reader.TokenType}.");
            }

            hashes.Clear();
            ulong modifyIndex = 0;
            var name = stackName;
            var nameLength = -1;
            char[]? rentedName = null;
            while (Read(ref reader) == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                if (field == ServiceNameField)
                {
                    if (Read(ref reader) == JsonTokenType.String)
                    {
                        nameLength = CopyName(in reader, ref name, ref rentedName);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (field == ModifyIndexField)
                {
                    if (Read(ref reader) != JsonTokenType.Number)
                    {
                        reader.Skip();
                    }
                    else if (!reader.TryGetUInt64(out modifyIndex))
                    {
                        throw new JsonException("ModifyIndex is not an unsigned integer.");
                    }
                }
                else
                {
                    Read(ref reader);
                    if (field >= 0)
                    {
                        hashes[field] = HashValue(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }

            if (nameLength > 0)
            {
                ref var digest = ref CollectionsMarshal.GetValueRefOrAddDefault(byName, name[..nameLength], out _);
                digest = Add(digest, CheckHash(hashes[0], hashes[1], hashes[2], hashes[3], hashes[4], modifyIndex));
            }

            if (rentedName is not null)
            {
                System.Buffers.ArrayPool<char>.Shared.Return(rentedName);
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

    /// <summary>The hashed fields' slot (in <see cref="CheckHash"/>'s order), one of the two other tracked fields, or -1.</summary>
    private static int FieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("Node"u8) ? 0
        : reader.ValueTextEquals("ServiceID"u8) ? 1
        : reader.ValueTextEquals("CheckID"u8) ? 2
        : reader.ValueTextEquals("Status"u8) ? 3
        : reader.ValueTextEquals("Output"u8) ? 4
        : reader.ValueTextEquals("ServiceName"u8) ? ServiceNameField
        : reader.ValueTextEquals("ModifyIndex"u8) ? ModifyIndexField
        : -1;

    private static int CheckHash(int node, int serviceId, int checkId, int status, int output, ulong modifyIndex)
        => HashCode.Combine(node, serviceId, checkId, status, output, modifyIndex);
}
