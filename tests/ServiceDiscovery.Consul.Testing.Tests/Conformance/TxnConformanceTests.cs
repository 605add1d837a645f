// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §11: <c>PUT /v1/txn</c> with KV operations (agent/txn_endpoint.go, state/txn.go).</summary>
public sealed class TxnConformanceTests
{
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));

    private static string Op(string verb, string key, string? value = null, ulong index = 0, string? session = null) =>
        new JsonObject
        {
            ["KV"] = new JsonObject
            {
                ["Verb"] = verb,
                ["Key"] = key,
                ["Value"] = value is null ? null : B64(value),
                ["Index"] = index,
                ["Session"] = session ?? string.Empty,
            },
        }.ToJsonString();

    private static Task<Reply> TxnAsync(ConsulTarget consul, params string[] ops) => consul.PutAsync("/v1/txn", "[" + string.Join(",", ops) + "]");

    private static Task CleanAsync(ConsulTarget consul, string prefix) => consul.DeleteAsync($"/v1/kv/{prefix}?recurse");

    [Fact]
    public async Task Write_AppliesAllAtOneIndex_BlanksValues_NoMetaHeaders()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        var reply = await TxnAsync(consul, Op("set", p + "a", "1"), Op("set", p + "b", "2"), Op("get", p + "a"));

        Assert.Equal(200, reply.Status);
        Assert.Null(reply.Json["Errors"]);
        var results = reply.Json["Results"]!.AsArray();
        Assert.Equal(3, results.Count);
        Assert.Null(results[0]!["KV"]!["Value"]);
        Assert.Equal(B64("1"), results[2]!["KV"]!["Value"]!.GetValue<string>());
        var index = results[0]!["KV"]!["ModifyIndex"]!.GetValue<ulong>();
        Assert.Equal(index, results[1]!["KV"]!["ModifyIndex"]!.GetValue<ulong>());
        Assert.Equal(["Results", "Errors"], reply.Json.AsObject().Select(p => p.Key));
        Assert.Null(reply.Header("X-Consul-Index"));
        Assert.Null(reply.Header("X-Consul-KnownLeader"));
        Assert.Equal(index, (await consul.GetAsync($"/v1/kv/{p}?recurse")).Index);
        await CleanAsync(consul, p);
    }

    [Fact]
    public async Task ReadOnly_ServedAsRead_WithQueryMetaAndNoIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        await consul.PutAsync($"/v1/kv/{p}x", "v");
        var reply = await TxnAsync(consul, Op("get-tree", p), Op("check-not-exists", p + "nope"));

        Assert.Equal(200, reply.Status);
        Assert.Equal("true", reply.Header("X-Consul-KnownLeader"));
        Assert.NotNull(reply.Header("X-Consul-LastContact"));
        Assert.Null(reply.Header("X-Consul-Index"));
        Assert.Equal(B64("v"), reply.Json["Results"]![0]!["KV"]!["Value"]!.GetValue<string>());
        Assert.Contains("KnownLeader", reply.Json.AsObject().Select(p => p.Key));
        Assert.Contains("LastContact", reply.Json.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task AnyError_RollsBackEverything_AndReportsEveryError()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        await consul.PutAsync($"/v1/kv/{p}old", "v");
        var before = (await consul.GetAsync($"/v1/kv/{p}old")).Index;
        var reply = await TxnAsync(consul,
            Op("set", p + "new", "1"),
            Op("delete", p + "old"),
            Op("cas", p + "old", "2", index: before + 1000),
            Op("check-not-exists", p + "old"),
            Op("get", p + "missing"));

        Assert.Equal(409, reply.Status);
        Assert.Equal("application/json", reply.ContentHeaders.ContentType?.MediaType);
        Assert.Null(reply.Json["Results"]);
        var errors = reply.Json["Errors"]!.AsArray().Select(e => (e!["OpIndex"]!.GetValue<int>(), e["What"]!.GetValue<string>())).ToList();
        Assert.Equal(
            [(2, $"failed to set key \"{p}old\", index is stale"), (4, $"key \"{p}missing\" doesn't exist")],
            errors);
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{p}new")).Status);
        Assert.Equal(200, (await consul.GetAsync($"/v1/kv/{p}old")).Status);

        var exists = await TxnAsync(consul, Op("check-not-exists", p + "old"), Op("bogus", p + "old"));
        Assert.Equal(409, exists.Status);
        Assert.Equal($"key \"{p}old\" exists", exists.Json["Errors"]![0]!["What"]!.GetValue<string>());
        Assert.Equal("unknown KV verb \"bogus\"", exists.Json["Errors"]![1]!["What"]!.GetValue<string>());
        await CleanAsync(consul, p);
    }

    [Fact]
    public async Task CheckIndex_CasAndDeleteVerbs()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        await consul.PutAsync($"/v1/kv/{p}a", "1");
        await consul.PutAsync($"/v1/kv/{p}t/x", "1");
        await consul.PutAsync($"/v1/kv/{p}t/y", "1");
        var a = (await consul.GetAsync($"/v1/kv/{p}a")).Json[0]!["ModifyIndex"]!.GetValue<ulong>();

        var stale = await TxnAsync(consul, Op("check-index", p + "a", index: a + 1), Op("delete-cas", p + "a", index: a + 1), Op("check-index", p + "zz", index: 1));
        Assert.Equal(
            [
                $"failed index check for key \"{p}a\", current modify index {a} != {a + 1}",
                $"failed to delete key \"{p}a\", index is stale",
                $"failed to check index, key \"{p}zz\" doesn't exist",
            ],
            stale.Json["Errors"]!.AsArray().Select(e => e!["What"]!.GetValue<string>()));

        var ok = await TxnAsync(consul, Op("check-index", p + "a", index: a), Op("cas", p + "a", "2", index: a), Op("cas", p + "c", "3", index: 0), Op("delete-tree", p + "t/"));
        Assert.Equal(200, ok.Status);
        Assert.Equal(3, ok.Json["Results"]!.AsArray().Count);
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{p}t/?recurse")).Status);
        var c = (await consul.GetAsync($"/v1/kv/{p}c")).Json[0]!["ModifyIndex"]!.GetValue<ulong>();
        Assert.Equal(200, (await TxnAsync(consul, Op("delete-cas", p + "c", index: c), Op("delete", p + "a"))).Status);
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{p}?recurse")).Status);
    }

    [Fact]
    public async Task Lock_Unlock_CheckSession_WithSessions()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        var a = await consul.CreateSessionAsync();
        var b = await consul.CreateSessionAsync();

        var locked = await TxnAsync(consul, Op("lock", p + "l", "x", session: a), Op("check-session", p + "l", session: a));
        Assert.Equal(200, locked.Status);
        Assert.Equal(a, locked.Json["Results"]![0]!["KV"]!["Session"]!.GetValue<string>());
        Assert.Equal(1, locked.Json["Results"]![0]!["KV"]!["LockIndex"]!.GetValue<int>());

        var refused = await TxnAsync(consul, Op("lock", p + "l", "y", session: b), Op("unlock", p + "l", session: b), Op("check-session", p + "l", session: b), Op("lock", p + "m", session: ""));
        Assert.Equal(
            [
                $"failed to lock key \"{p}l\", lock is already held",
                $"failed to unlock key \"{p}l\", lock isn't held, or is held by another session",
                $"failed session check for key \"{p}l\", current session \"{a}\" != \"{b}\"",
                "missing session",
            ],
            refused.Json["Errors"]!.AsArray().Select(e => e!["What"]!.GetValue<string>()));

        Assert.Equal(200, (await TxnAsync(consul, Op("unlock", p + "l", "z", session: a))).Status);
        Assert.Null((await consul.GetAsync($"/v1/kv/{p}l")).Json[0]!["Session"]);

        // Destroying a holder starts the key's lock-delay (15s by default): a lock in a txn is refused before it runs.
        Assert.Equal(200, (await TxnAsync(consul, Op("lock", p + "l", "x", session: a))).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/session/destroy/{a}")).Status);
        var delayed = await TxnAsync(consul, Op("lock", p + "l", "x", session: b), Op("get", p + "nope"));
        Assert.Equal(409, delayed.Status);
        Assert.Equal([$"failed to lock key \"{p}l\" due to lock delay"], delayed.Json["Errors"]!.AsArray().Select(e => e!["What"]!.GetValue<string>()));
        await CleanAsync(consul, p);
    }

    [Fact]
    public async Task Limits_OperationsBodyAndParse()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        var many = await TxnAsync(consul, Enumerable.Range(0, 129).Select(i => Op("get-or-empty", p + i)).ToArray());
        Assert.Equal(413, many.Status);
        Assert.Equal("Transaction contains too many operations (129 > 128)", many.Text);
        Assert.Equal(200, (await TxnAsync(consul, Enumerable.Range(0, 128).Select(i => Op("get-or-empty", p + i)).ToArray())).Status);

        var big = await consul.PutAsync("/v1/txn", new string(' ', 524289));
        Assert.Equal(413, big.Status);
        Assert.Equal("Request body(524289 bytes) too large, max size: 524288 bytes. See https://www.consul.io/docs/agent/config/config-files#txn_max_req_len.", big.Text);

        var parse = await consul.PutAsync("/v1/txn", "{}");
        Assert.Equal(400, parse.Status);
        Assert.Equal("Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps", parse.Text);
        Assert.Equal(400, (await consul.PutAsync("/v1/txn", """[{"KV":{"Verb":"set","Key":"k","Value":"!!"}}]""")).Status);
        Assert.Equal(405, (await consul.GetAsync("/v1/txn")).Status);
        Assert.Equal("Must provide key", (await TxnAsync(consul, Op("get", string.Empty))).Json["Errors"]![0]!["What"]!.GetValue<string>());
    }

    [Fact]
    public async Task Blocking_WakesOnceWithTheTxnIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var p = consul.Name("txn/");
        await consul.PutAsync($"/v1/kv/{p}seed", "0");
        var first = await consul.GetAsync($"/v1/kv/{p}?recurse");
        var blocked = consul.GetAsync($"/v1/kv/{p}?recurse&index={first.Index}&wait=30s");
        var txn = await TxnAsync(consul, Op("set", p + "a", "1"), Op("set", p + "b", "2"), Op("delete", p + "seed"));
        var index = txn.Json["Results"]![0]!["KV"]!["ModifyIndex"]!.GetValue<ulong>();
        var reply = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(reply.Index >= index);
        Assert.Equal(index, (await consul.GetAsync($"/v1/kv/{p}?recurse")).Index);
        Assert.Equal(2, (await consul.GetAsync($"/v1/kv/{p}?recurse")).Json.AsArray().Count);
        await CleanAsync(consul, p);
    }
}
