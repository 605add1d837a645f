// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>One KV operation of <c>PUT /v1/txn</c> (api.KVTxnOp): the verb and the DirEntry fields it uses.</summary>
/// <remarks>A Node, Service or Check operation, which this agent does not run, carries the error it fails with in <paramref name="Unsupported"/>.</remarks>
internal sealed record TxnKvOperation(string Verb, string Key, byte[]? Value, ulong Flags, ulong Index, string Session, string? Unsupported = null)
{
    /// <summary>Whether the operation alters the state store (txn_endpoint.go <c>isWrite</c>; every catalog verb but get).</summary>
    public bool IsWrite => Unsupported is not null
        ? Verb != "get"
        : Verb is "set" or "delete" or "delete-cas" or "delete-tree" or "cas" or "lock" or "unlock";
}

/// <summary>A failed operation of a transaction (structs.TxnError).</summary>
internal sealed record TxnError(int OpIndex, string What);

/// <summary>The outcome of a transaction: its KV results when it committed, else the errors that rolled it back.</summary>
internal sealed record TxnOutcome(IReadOnlyList<KvEntry>? Results, IReadOnlyList<TxnError>? Errors);
