// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>Locks and semaphores under contention against the test agent (or the real Consul of <c>CONSUL_HTTP_ADDR</c>).</summary>
public sealed class LockIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>How soon a lock taken away must be noticed (the key watch sees it within a round trip).</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);
    private ConsulTarget _consul = null!;
    private IHost _host = null!;
    private IConsulLockProvider _locks = null!;
    private string _key = null!;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _key = _consul.ServiceName("locks") + "/";
        _host = CoordinationHost.Build(_consul, services => services.AddConsulLocks(o => o.KeyPrefix = _key));
        await _host.StartAsync(TestContext.Current.CancellationToken);
        _locks = _host.Services.GetRequiredService<IConsulLockProvider>();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task A_lock_is_exclusive_under_contention()
    {
        var inside = 0;
        var maxInside = 0;
        var entries = 0;

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                await using var handle = await _locks.AcquireAsync("orders", Deadline, TestContext.Current.CancellationToken);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Increment(ref entries);
                await Task.Yield();
                Assert.False(handle.LostToken.IsCancellationRequested);
                Interlocked.Decrement(ref inside);
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(24, entries);
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public async Task A_semaphore_under_contention_fills_up_to_its_limit_and_never_past_it()
    {
        var inside = 0;
        var maxInside = 0;
        var entries = 0;
        var full = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 2; round++)
            {
                await using var handle = await _locks.AcquireSemaphoreAsync("reports", 3, Deadline, TestContext.Current.CancellationToken);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Increment(ref entries);
                if (now == 3)
                {
                    full.TrySetResult();
                }

                // Holders keep their slots until the semaphore has been full once, so the limit is reached (a semaphore
                // that admitted fewer would never get there), then a while longer for others to pile up against it.
                await full.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
                await Task.Delay(20, TestContext.Current.CancellationToken);
                Assert.False(handle.LostToken.IsCancellationRequested);
                Interlocked.Decrement(ref inside);
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(16, entries);
        Assert.Equal(3, maxInside);
    }

    [Theory]
    [InlineData("releases")]
    [InlineData("dies")]
    public async Task A_full_semaphore_makes_a_new_contender_wait_until_a_holder_leaves(string how)
    {
        var agent = _consul.RequireTestAgent("tells when the contender blocks on the full semaphore");
        var prefix = _key + "full";
        using var consul = new ConsulOperator(_consul);

        // Three holders recorded as the recipe records them: each a live session locking its contender key, all in .lock.
        var holders = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var session = await consul.CreateSessionAsync();
            await consul.AcquireAsync($"{prefix}/{session}", session);
            holders.Add(session);
        }

        await consul.PutCasAsync(prefix + "/.lock", SemaphoreBody(3, holders), modifyIndex: 0);

        // The contender reads the semaphore, finds it full and blocks on it (a read with an index) instead of taking a slot.
        var acquire = _locks.AcquireSemaphoreAsync("full", 3, Deadline, TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(
            () => acquire.IsCompleted || agent.Requests.Any(r => r.Method == "GET" && r.Path == $"/v1/kv/{prefix}/" && r.Query.Contains("index=", StringComparison.Ordinal)),
            Deadline,
            "the contender blocks on the full semaphore");
        Assert.False(acquire.IsCompleted, "a fourth holder was admitted to a semaphore of limit 3");
        Assert.Equal(holders.Order(), HolderIds(await consul.GetAsync(prefix + "/.lock")));

        if (how == "releases")
        {
            // As the recipe does: out of .lock (check-and-set), then its contender key deleted.
            var lockKey = await consul.GetAsync(prefix + "/.lock");
            await consul.PutCasAsync(prefix + "/.lock", SemaphoreBody(3, holders[1..]), lockKey!.ModifyIndex);
            await consul.DeleteAsync($"{prefix}/{holders[0]}");
        }
        else
        {
            // Its session is invalidated: Consul releases its contender key, while .lock still lists it.
            await consul.DestroySessionAsync(holders[0]);
        }

        await using var slot = await acquire.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(holders[1..].Append(slot.SessionId).Order(), HolderIds(await consul.GetAsync(prefix + "/.lock")));
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("release")]
    [InlineData("destroy-session")]
    public async Task A_held_lock_an_operator_takes_away_fires_LostToken_promptly(string how)
    {
        using var consul = new ConsulOperator(_consul);
        await using var handle = await _locks.AcquireAsync("taken", Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(handle.SessionId, (await consul.GetAsync(handle.Key))?.Session);

        await (how switch
        {
            "delete" => consul.DeleteAsync(handle.Key),
            "release" => consul.ReleaseAsync(handle.Key, handle.SessionId),
            _ => consul.DestroySessionAsync(handle.SessionId),
        });

        // Deleted or released, the key no longer names the session, which is still renewed: only the key watch can tell.
        await Eventually.WaitAsync(() => handle.LostToken.IsCancellationRequested, Prompt, "LostToken fired");
    }

    [Theory]
    [InlineData("slot")]
    [InlineData("contender-key")]
    [InlineData("lock-key")]
    [InlineData("unreadable-lock-key")]
    [InlineData("lock-key-without-holders")]
    public async Task A_semaphore_slot_an_operator_takes_away_fires_LostToken_promptly(string how)
    {
        using var consul = new ConsulOperator(_consul);
        await using var slot = await _locks.AcquireSemaphoreAsync("taken", 2, Deadline, TestContext.Current.CancellationToken);
        var lockKey = await consul.GetAsync(slot.Key + "/.lock");
        Assert.Equal([slot.SessionId], HolderIds(lockKey));

        await (how switch
        {
            "slot" => consul.PutCasAsync(slot.Key + "/.lock", SemaphoreBody(2, []), lockKey!.ModifyIndex),
            "contender-key" => consul.DeleteAsync($"{slot.Key}/{slot.SessionId}"),
            "lock-key" => consul.DeleteAsync(slot.Key + "/.lock"),
            "unreadable-lock-key" => consul.PutCasAsync(slot.Key + "/.lock", JsonValue.Create("not a semaphore"), lockKey!.ModifyIndex),
            _ => consul.PutCasAsync(slot.Key + "/.lock", new JsonObject { ["Limit"] = 2, ["Holders"] = null }, lockKey!.ModifyIndex),
        });

        await Eventually.WaitAsync(() => slot.LostToken.IsCancellationRequested, Prompt, "LostToken fired");
    }

    [Theory]
    [InlineData("\"not a semaphore\"", "not the recipe's JSON")]
    [InlineData("""{"Limit":3,"Holders":null}""", "not the recipe's JSON")]
    public async Task A_semaphore_whose_lock_key_another_user_wrote_differently_is_refused_naming_the_key(string body, string problem)
    {
        using var consul = new ConsulOperator(_consul);
        await consul.PutCasAsync(_key + "odd/.lock", JsonNode.Parse(body)!, modifyIndex: 0);

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => _locks.AcquireSemaphoreAsync("odd", 3, Deadline, TestContext.Current.CancellationToken));

        Assert.Contains(_key + "odd/.lock", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_semaphore_whose_lock_key_records_another_limit_but_no_live_holder_takes_the_new_limit(bool deadHolderListed)
    {
        // Left by users of limit 5 that have all gone: none, or one whose session (and so contender key) is dead.
        using var consul = new ConsulOperator(_consul);
        string[] holders = deadHolderListed ? [await consul.CreateSessionAsync()] : [];
        await consul.PutCasAsync(_key + "resized/.lock", SemaphoreBody(5, holders), modifyIndex: 0);
        foreach (var dead in holders)
        {
            await consul.DestroySessionAsync(dead);
        }

        await using var slot = await _locks.AcquireSemaphoreAsync("resized", 3, Deadline, TestContext.Current.CancellationToken);

        var lockKey = await consul.GetAsync(_key + "resized/.lock");
        Assert.Equal(3, (int)lockKey!.Json["Limit"]!);
        Assert.Equal([slot.SessionId], HolderIds(lockKey));
    }

    [Fact]
    public async Task A_semaphore_with_live_holders_of_another_limit_refuses_a_new_limit_naming_the_limit_in_force_and_the_fix()
    {
        await using var holder = await _locks.AcquireSemaphoreAsync("sized", 5, Deadline, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => _locks.AcquireSemaphoreAsync("sized", 3, Deadline, TestContext.Current.CancellationToken));

        Assert.Contains(_key + "sized/.lock", error.Message, StringComparison.Ordinal);
        Assert.Contains("has limit 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("held by 1 live session", error.Message, StringComparison.Ordinal);
        Assert.Contains("ask for 5", error.Message, StringComparison.Ordinal);
        Assert.False(holder.LostToken.IsCancellationRequested);
    }

    /// <summary>A <c>.lock</c> body in the recipe's shape.</summary>
    private static JsonObject SemaphoreBody(int limit, IEnumerable<string> holders)
        => new() { ["Limit"] = limit, ["Holders"] = new JsonObject(holders.Select(h => KeyValuePair.Create(h, (JsonNode?)true))) };

    private static IEnumerable<string> HolderIds(ConsulOperator.KeyEntry? lockKey)
        => lockKey!.Json["Holders"]!.AsObject().Select(h => h.Key).Order();

    [Fact]
    public async Task A_held_lock_times_out_other_callers_and_is_free_again_once_disposed()
    {
        var first = await _locks.AcquireAsync("exclusive", Deadline, TestContext.Current.CancellationToken);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => _locks.AcquireAsync("exclusive", TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken));
        Assert.Contains("exclusive", ex.Message, StringComparison.Ordinal);

        await first.DisposeAsync();
        Assert.True(first.LostToken.IsCancellationRequested);
        await using var second = await _locks.AcquireAsync("exclusive", TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.NotEqual(first.SessionId, second.SessionId);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
