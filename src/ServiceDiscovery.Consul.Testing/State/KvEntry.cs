// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>One KV pair (immutable; a write replaces it). <paramref name="Session"/> is the lock holder, empty when none.</summary>
internal sealed record KvEntry(string Key, byte[] Value, ulong Flags, ulong CreateIndex, ulong ModifyIndex, ulong LockIndex, string Session = "")
{
    /// <summary>Consul's <c>DirEntry.Equal</c>: a write of an equal entry changes nothing (kvsSetTxn).</summary>
    public bool SameContent(KvEntry other) =>
        Key == other.Key && Flags == other.Flags && LockIndex == other.LockIndex && Session == other.Session && Value.AsSpan().SequenceEqual(other.Value);
}
