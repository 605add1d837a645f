// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// The body of a semaphore's <c>.lock</c> key, in the shape Consul's own clients use (<c>consul lock -n</c>), so they
/// can share a semaphore: the limit and the sessions holding a slot.
/// </summary>
internal sealed class SemaphoreState
{
    public int Limit { get; set; }

    public Dictionary<string, bool> Holders { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Source-generated (trimming/AOT safe) JSON for <see cref="SemaphoreState"/>.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(SemaphoreState))]
internal sealed partial class CoordinationJsonContext : JsonSerializerContext;
