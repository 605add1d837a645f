// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// The body of a semaphore's <c>.lock</c> key, in the shape of Consul's documented recipe: the limit and the sessions
/// holding a slot. (Consul's Go client also requires a flags value this package does not write, so the two cannot share
/// a semaphore: docs/consul-http-api.md §19.)
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
