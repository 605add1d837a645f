// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using static Smoke;

/// <summary>
/// A session's life under NativeAOT through <see cref="IConsulSessionApi"/> and <see cref="IConsulKeyValueApi"/>: create
/// it, read it back, acquire a KV lock with it, read the key, release the lock and destroy the session, each against
/// canned Consul answers, checking what went over the wire both ways.
/// </summary>
internal static class SessionLockSmoke
{
    private const string SessionId = "adf4238a-882b-9ddc-4a9d-5b6758e4159e";

    // Consul writes the session's LockDelay as nanoseconds and its TTL as a Go duration string.
    private const string SessionInfoJson = """
        [{"ID":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","Name":"aot-lock","Node":"node1","LockDelay":1500000000,
          "Behavior":"release","TTL":"15s","NodeChecks":["serfHealth"],"ServiceChecks":null,"CreateIndex":40,"ModifyIndex":40}]
        """;

    // "holder-1" in base64, as Consul stores KV values.
    private const string LockedKeyJson = """
        [{"LockIndex":1,"Key":"locks/aot","Flags":0,"Value":"aG9sZGVyLTE=","Session":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","CreateIndex":41,"ModifyIndex":41}]
        """;

    public static async Task<string> RunAsync(IServiceProvider provider, TcpListener listener)
    {
        var sessions = provider.GetRequiredService<IConsulSessionApi>();
        var kv = provider.GetRequiredService<IConsulKeyValueApi>();
        var server = LoopbackConsul.ServeAsync(
            listener,
            (200, $$"""{"ID":"{{SessionId}}"}"""),
            (200, SessionInfoJson),
            (200, "true"),
            (200, LockedKeyJson),
            (200, "true"),
            (200, "true"),
            (200, "[]"));
        var ct = CancellationToken.None;
        var create = new SessionCreateRequest { Name = "aot-lock", LockDelay = TimeSpan.FromSeconds(1.5), Behavior = "release", TTL = TimeSpan.FromSeconds(15) };

        var id = await sessions.CreateSessionAsync(create, ct);
        var info = (await sessions.GetSessionAsync(id, new QueryOptions(), ct)).Value;
        var acquired = await kv.AcquireKeyAsync("locks/aot", Encoding.UTF8.GetBytes("holder-1"), id, ct);
        var key = (await kv.GetKeyAsync("locks/aot", new QueryOptions(), ct)).Value;
        var released = await kv.ReleaseKeyAsync("locks/aot", ReadOnlyMemory<byte>.Empty, id, ct);
        await sessions.DestroySessionAsync(id, ct);
        var gone = (await sessions.GetSessionAsync(id, new QueryOptions(), ct)).Value;
        var requests = await server;

        Require(id == SessionId, $"session id {id}");
        Require(requests[0].Head.StartsWith("PUT /v1/session/create HTTP/1.1", StringComparison.Ordinal), requests[0].Head);
        Require(requests[0].Body == """{"Name":"aot-lock","LockDelay":"1.5s","Behavior":"release","TTL":"15s"}""", $"session create body {requests[0].Body}");
        Require(requests[1].Head.StartsWith($"GET /v1/session/info/{SessionId} HTTP/1.1", StringComparison.Ordinal), requests[1].Head);
        Require(info is { Name: "aot-lock", Behavior: "release", TTL: "15s", CreateIndex: 40 } && info.LockDelay == TimeSpan.FromSeconds(1.5), $"session info {info}");
        Require(acquired && requests[2].Head.StartsWith($"PUT /v1/kv/locks/aot?acquire={SessionId} HTTP/1.1", StringComparison.Ordinal), requests[2].Head);
        Require(requests[2].Body == "holder-1", $"acquire body {requests[2].Body}");
        Require(key is { LockIndex: 1, Session: SessionId } && Encoding.UTF8.GetString(key.Value ?? []) == "holder-1", $"locked key {key}");
        Require(released && requests[4].Head.StartsWith($"PUT /v1/kv/locks/aot?release={SessionId} HTTP/1.1", StringComparison.Ordinal), requests[4].Head);
        Require(requests[5].Head.StartsWith($"PUT /v1/session/destroy/{SessionId} HTTP/1.1", StringComparison.Ordinal), requests[5].Head);
        Require(gone is null, "destroyed session still answered");
        return $"session {id[..8]} lock {key.Key} (LockIndex {key.LockIndex})";
    }
}
