// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>A snapshot of one KV entry.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The raw value bytes.</param>
/// <param name="Flags">The opaque flags.</param>
/// <param name="CreateIndex">The index that created it.</param>
/// <param name="ModifyIndex">The index of its last write.</param>
public sealed record ConsulTestKeyValue(string Key, ReadOnlyMemory<byte> Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex);
