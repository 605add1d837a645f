// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.DistributedLock.Tests;

/// <summary>
/// DistributedLock.Core's documented contract for <see cref="IDistributedLockProvider"/> locks, on Consul: TryAcquire
/// answers <see langword="null"/> while another holds the lock, Acquire waits (forever by default) and throws
/// <see cref="TimeoutException"/> past its timeout, cancellation throws <see cref="OperationCanceledException"/>, and
/// <c>HandleLostToken</c> fires when the lock is lost.
/// </summary>
public sealed class DistributedLockContractTests : IAsyncLifetime
{
    /// <summary>The bound on anything that should happen at once; generous for a loaded machine.</summary>
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private ConsulTarget _consul = null!;
    private IHost _host = null!;
    private IDistributedLockProvider _locks = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _host = await DistributedLockHost.StartAsync(_consul, _consul.ServiceName("dlock") + "/");
        _locks = _host.Services.GetRequiredService<IDistributedLockProvider>();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task TryAcquireAsync_while_another_holds_the_lock_returns_null_and_succeeds_once_it_is_released()
    {
        var first = _locks.CreateLock("orders");
        var second = _locks.CreateLock("orders");

        var held = await first.TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(held);
        Assert.Equal("orders", first.Name);
        Assert.Null(await second.TryAcquireAsync(cancellationToken: Ct));
        Assert.Null(await second.TryAcquireAsync(TimeSpan.FromMilliseconds(200), Ct));

        await held.DisposeAsync();
        await using var next = await second.TryAcquireAsync(cancellationToken: Ct);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task The_synchronous_methods_keep_the_same_contract()
    {
        var theLock = _locks.CreateLock("sync");

        var held = await Task.Run(() => theLock.Acquire(cancellationToken: Ct), Ct);
        Assert.Null(await Task.Run(() => _locks.CreateLock("sync").TryAcquire(cancellationToken: Ct), Ct));
        var timedOut = await Assert.ThrowsAsync<TimeoutException>(() => Task.Run(() => theLock.Acquire(TimeSpan.FromMilliseconds(200), Ct), Ct));
        Assert.Contains("'sync'", timedOut.Message, StringComparison.Ordinal);

        held.Dispose();
        held.Dispose(); // a second dispose is a no-op, as IDisposable requires
        using var next = await Task.Run(() => theLock.TryAcquire(cancellationToken: Ct), Ct);
        Assert.NotNull(next);
    }

    [Fact]
    public async Task AcquireAsync_past_its_timeout_throws_TimeoutException_naming_the_lock()
    {
        await using var held = await _locks.AcquireLockAsync("reports", cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await _locks.AcquireLockAsync("reports", TimeSpan.FromMilliseconds(200), Ct));
        Assert.Contains("'reports'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AcquireAsync_without_a_timeout_waits_until_the_holder_releases()
    {
        var held = await _locks.AcquireLockAsync("queue", cancellationToken: Ct);
        var waiting = _locks.AcquireLockAsync("queue", cancellationToken: Ct).AsTask();
        Assert.Null(await _locks.TryAcquireLockAsync("queue", cancellationToken: Ct)); // still held: the waiter cannot have it yet
        Assert.False(waiting.IsCompleted);

        await held.DisposeAsync();
        await using var next = await waiting.WaitAsync(Deadline, Ct);
        Assert.False(next.HandleLostToken.IsCancellationRequested);
    }

    [Fact]
    public async Task Cancelling_a_waiting_acquire_throws_OperationCanceledException()
    {
        await using var held = await _locks.AcquireLockAsync("cancel", cancellationToken: Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var waiting = _locks.AcquireLockAsync("cancel", cancellationToken: cancel.Token).AsTask();
        var sync = Task.Run(() => _locks.AcquireLock("cancel", cancellationToken: cancel.Token), Ct);
        Assert.Null(await _locks.TryAcquireLockAsync("cancel", cancellationToken: Ct)); // a round trip later, both still wait
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Deadline, Ct));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sync.WaitAsync(Deadline, Ct));
    }

    [Fact]
    public async Task HandleLostToken_fires_when_the_session_holding_the_lock_is_destroyed()
    {
        await using var held = await _locks.AcquireLockAsync("lost", cancellationToken: Ct);
        Assert.False(held.HandleLostToken.IsCancellationRequested);
        var lost = Fired(held.HandleLostToken);

        var session = ((ConsulSynchronizationHandle)held).ConsulHandle.SessionId;
        using (var http = _consul.CreateHttpClient())
        {
            using var response = await http.PutAsync("v1/session/destroy/" + session, content: null, Ct);
            response.EnsureSuccessStatusCode();
        }

        await lost.WaitAsync(Deadline, Ct);
        await using var next = await _locks.TryAcquireLockAsync("lost", Deadline, Ct); // Consul released it with the session
        Assert.NotNull(next);
    }

    [Fact]
    public async Task HandleLostToken_after_release_throws_ObjectDisposedException()
    {
        var held = await _locks.AcquireLockAsync("released", cancellationToken: Ct);
        await held.DisposeAsync();
        await held.DisposeAsync();

        Assert.Throws<ObjectDisposedException>(() => held.HandleLostToken);
    }

    [Fact]
    public async Task A_lock_is_the_Consul_lock_of_the_same_name_so_both_APIs_exclude_each_other()
    {
        var consulLocks = _host.Services.GetRequiredService<IConsulLockProvider>();
        await using (var viaConsul = await consulLocks.AcquireAsync("shared", Ct))
        {
            Assert.Null(await _locks.TryAcquireLockAsync("shared", cancellationToken: Ct));
        }

        await using var viaDistributedLock = await _locks.AcquireLockAsync("shared", Deadline, Ct);
        Assert.Null(await consulLocks.TryAcquireAsync("shared", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_lock_is_exclusive_under_contention()
    {
        var inside = 0;
        var maxInside = 0;
        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 3; round++)
            {
                await using var handle = await _locks.AcquireLockAsync("contended", Deadline, Ct);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                await Task.Yield();
                Interlocked.Decrement(ref inside);
            }
        }, Ct));
        await Task.WhenAll(workers);

        Assert.Equal(1, maxInside);
    }

    /// <summary>A task that completes when <paramref name="token"/> fires (no polling).</summary>
    internal static Task Fired(CancellationToken token)
    {
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), fired);
        return fired.Task;
    }

    internal static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
