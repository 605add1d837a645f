// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §11: KV ?acquire/?release, lock-delay, invalidation by destroy, TTL and checks.</summary>
public sealed class SessionLockConformanceTests
{
    [Fact]
    public async Task Acquire_SetsSessionAndLockIndex_HolderReacquiresWithoutBump()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync();
        var b = await consul.CreateSessionAsync();

        Assert.True((await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "one")).Json.GetValue<bool>());
        var held = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!;
        Assert.Equal(a, held["Session"]!.GetValue<string>());
        Assert.Equal(1, held["LockIndex"]!.GetValue<int>());
        Assert.Equal(
            ["LockIndex", "Key", "Flags", "Value", "Session", "CreateIndex", "ModifyIndex"],
            held.AsObject().Select(p => p.Key));

        Assert.False((await consul.PutAsync($"/v1/kv/{key}?acquire={b}", "two")).Json.GetValue<bool>());
        Assert.True((await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "three")).Json.GetValue<bool>());
        var again = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!;
        Assert.Equal(1, again["LockIndex"]!.GetValue<int>());
        Assert.Equal(Convert.ToBase64String(Encoding.UTF8.GetBytes("three")), again["Value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Release_OnlyByHolder_ThenNewAcquisitionBumpsLockIndex()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync("""{"LockDelay":"0s"}""");
        var b = await consul.CreateSessionAsync();
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");

        Assert.False((await consul.PutAsync($"/v1/kv/{key}?release={b}", "x")).Json.GetValue<bool>());
        Assert.True((await consul.PutAsync($"/v1/kv/{key}?release={a}", "x")).Json.GetValue<bool>());
        var released = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!;
        Assert.Null(released["Session"]);
        Assert.Equal(1, released["LockIndex"]!.GetValue<int>());

        Assert.True((await consul.PutAsync($"/v1/kv/{key}?acquire={b}", "y")).Json.GetValue<bool>());
        Assert.Equal(2, (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["LockIndex"]!.GetValue<int>());
    }

    [Fact]
    public async Task Acquire_UnknownSession_Returns500()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var unknown = Guid.NewGuid().ToString();
        var reply = await consul.PutAsync($"/v1/kv/{consul.Name("k")}?acquire={unknown}", "x");
        Assert.Equal(500, reply.Status);
        Assert.Equal($"invalid session \"{unknown}\"", reply.Text);

        var empty = await consul.PutAsync($"/v1/kv/{consul.Name("k")}?acquire=", "x");
        Assert.Equal(500, empty.Status);
        Assert.Equal("missing session", empty.Text);
    }

    [Fact]
    public async Task PlainPut_KeepsLockHolder()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync();
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");
        await consul.PutAsync($"/v1/kv/{key}", "y");
        Assert.Equal(a, (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["Session"]!.GetValue<string>());
    }

    [Fact]
    public async Task Destroy_ReleaseBehaviour_ReleasesKeyAndStartsLockDelay()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync();
        var b = await consul.CreateSessionAsync();
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");
        await consul.PutAsync($"/v1/session/destroy/{a}");

        var entry = (await consul.GetAsync($"/v1/kv/{key}")).Json[0]!;
        Assert.Null(entry["Session"]);
        Assert.False((await consul.PutAsync($"/v1/kv/{key}?acquire={b}", "y")).Json.GetValue<bool>());
    }

    [Fact]
    public async Task Destroy_DeleteBehaviour_DeletesKey()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync("""{"Behavior":"delete"}""");
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");
        var before = await consul.GetAsync($"/v1/kv/{key}");
        var blocked = consul.GetAsync($"/v1/kv/{key}?index={before.Index}&wait=10s");
        await consul.PutAsync($"/v1/session/destroy/{a}");
        var woke = await blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(404, woke.Status);
        Assert.True(woke.Index > before.Index);
    }

    [Fact]
    public async Task LockDelay_EndsAfterItsDuration()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the lock-delay");
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync("""{"LockDelay":"10s"}""");
        var b = await consul.CreateSessionAsync();
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");
        await consul.PutAsync($"/v1/session/destroy/{a}");

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False((await consul.PutAsync($"/v1/kv/{key}?acquire={b}", "y")).Json.GetValue<bool>());
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await consul.PutAsync($"/v1/kv/{key}?acquire={b}", "y")).Json.GetValue<bool>());
    }

    [Fact]
    public async Task Ttl_InvalidatesAfterTwiceTtl_RenewRestartsTheClock()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives session TTLs");
        var key = consul.Name("lock");
        var a = await consul.CreateSessionAsync("""{"TTL":"10s","LockDelay":"0s"}""");
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");

        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(200, (await consul.PutAsync($"/v1/session/renew/{a}")).Status);
        time.Advance(TimeSpan.FromSeconds(19));
        Assert.Single((await consul.GetAsync($"/v1/session/info/{a}")).Json.AsArray());

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty((await consul.GetAsync($"/v1/session/info/{a}")).Json.AsArray());
        Assert.Null((await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["Session"]);
        Assert.Equal(404, (await consul.PutAsync($"/v1/session/renew/{a}")).Status);
    }

    [Fact]
    public async Task TiedCheckTurningCritical_InvalidatesSession()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        var checkId = $"{web}-ttl";
        await consul.RegisterAsync($$$"""{"Name":"{{{web}}}","Check":{"CheckID":"{{{checkId}}}","TTL":"30s","Status":"passing"}}""");
        var a = await consul.CreateSessionAsync($$"""{"ServiceChecks":[{"ID":"{{checkId}}"}],"LockDelay":"0s"}""");
        var s = (await consul.GetAsync($"/v1/session/info/{a}")).Json[0]!;
        Assert.Equal(checkId, s["ServiceChecks"]![0]!["ID"]!.GetValue<string>());

        var key = consul.Name("lock");
        await consul.PutAsync($"/v1/kv/{key}?acquire={a}", "x");
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/check/fail/{checkId}")).Status);

        await Eventually.UntilAsync(() => consul.GetAsync($"/v1/session/info/{a}"), r => r.Json.AsArray().Count == 0);
        Assert.Null((await consul.GetAsync($"/v1/kv/{key}")).Json[0]!["Session"]);
    }

    [Fact]
    public async Task TiedCheckDeregistered_InvalidatesSession()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var web = consul.Name("web");
        await consul.RegisterAsync($$$"""{"Name":"{{{web}}}","Check":{"CheckID":"{{{web}}}-ttl","TTL":"30s","Status":"passing"}}""");
        var a = await consul.CreateSessionAsync($$"""{"NodeChecks":["serfHealth"],"ServiceChecks":[{"ID":"{{web}}-ttl"}]}""");
        await consul.PutAsync($"/v1/agent/service/deregister/{web}");
        await Eventually.UntilAsync(() => consul.GetAsync($"/v1/session/info/{a}"), r => r.Json.AsArray().Count == 0);
    }
}
