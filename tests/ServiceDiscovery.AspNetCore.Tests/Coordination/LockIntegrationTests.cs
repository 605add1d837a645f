// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>Locks and semaphores under contention against the test agent (or the real Consul of <c>CONSUL_HTTP_ADDR</c>).</summary>
public sealed class LockIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
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
    public async Task A_semaphore_never_admits_more_than_its_limit()
    {
        var inside = 0;
        var maxInside = 0;
        var entries = 0;

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var round = 0; round < 2; round++)
            {
                await using var handle = await _locks.AcquireSemaphoreAsync("reports", 3, Deadline, TestContext.Current.CancellationToken);
                var now = Interlocked.Increment(ref inside);
                InterlockedMax(ref maxInside, now);
                Interlocked.Increment(ref entries);
                await Task.Delay(20, TestContext.Current.CancellationToken); // Holds the slot long enough for others to pile up.
                Interlocked.Decrement(ref inside);
            }
        }));
        await Task.WhenAll(workers);

        Assert.Equal(16, entries);
        Assert.InRange(maxInside, 1, 3);
    }

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
