// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>A KV entry (docs/consul-http-api.md §11). `Value` is base64 on the wire and may be null.</summary>
internal sealed record KVPair
{
    public required string Key { get; init; }
    public ulong CreateIndex { get; init; }
    public ulong ModifyIndex { get; init; }
    public ulong LockIndex { get; init; }
    public ulong Flags { get; init; }
    public byte[]? Value { get; init; }
    public string? Session { get; init; }
}
