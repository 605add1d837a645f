// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.DistributedLock.Tests;

/// <summary>DistributedLock.Core's contract for <see cref="IDistributedSemaphoreProvider"/> semaphores, on Consul.</summary>
public sealed class DistributedSemaphoreContractTests : IAsyncLifetime
{
    private ConsulTarget _consul = null!;
    private IHost _host = null!;
    private IDistributedSemaphoreProvider _semaphores = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _host = await DistributedLockHost.StartAsync(_consul, _consul.ServiceName("dsem") + "/");
        _semaphores = _host.Services.GetRequiredService<IDistributedSemaphoreProvider>();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task MaxCount_holders_get_a_slot_then_TryAcquire_returns_null_until_one_leaves()
    {
        var semaphore = _semaphores.CreateSemaphore("exports", 3);
        Assert.Equal(("exports", 3), (semaphore.Name, semaphore.MaxCount));

        var holders = new List<IDistributedSynchronizationHandle>();
        for (var i = 0; i < 3; i++)
        {
            holders.Add(Assert.IsAssignableFrom<IDistributedSynchronizationHandle>(await semaphore.TryAcquireAsync(cancellationToken: Ct)));
        }

        Assert.Null(await semaphore.TryAcquireAsync(cancellationToken: Ct));
        Assert.Null(await Task.Run(() => semaphore.TryAcquire(TimeSpan.FromMilliseconds(200), Ct), Ct));
        var ex = await Assert.ThrowsAsync<TimeoutException>(async () => await semaphore.AcquireAsync(TimeSpan.FromMilliseconds(200), Ct));
        Assert.Contains("'exports'", ex.Message, StringComparison.Ordinal);

        var waiting = semaphore.AcquireAsync(cancellationToken: Ct).AsTask();
        await holders[0].DisposeAsync();
        await using var fourth = await waiting.WaitAsync(DistributedLockContractTests.Deadline, Ct);
        foreach (var holder in holders.Skip(1))
        {
            Assert.False(holder.HandleLostToken.IsCancellationRequested);
            await holder.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_semaphore_slot_whose_session_is_destroyed_fires_HandleLostToken()
    {
        await using var slot = await _semaphores.AcquireSemaphoreAsync("slots", 2, cancellationToken: Ct);
        var lost = DistributedLockContractTests.Fired(slot.HandleLostToken);

        using (var http = _consul.CreateHttpClient())
        {
            var session = ((ConsulSynchronizationHandle)slot).ConsulHandle.SessionId;
            using var response = await http.PutAsync("v1/session/destroy/" + session, content: null, Ct);
            response.EnsureSuccessStatusCode();
        }

        await lost.WaitAsync(DistributedLockContractTests.Deadline, Ct);
    }

    [Fact]
    public async Task Cancelling_a_wait_for_a_full_semaphore_throws_OperationCanceledException()
    {
        await using var only = await _semaphores.AcquireSemaphoreAsync("single", 1, cancellationToken: Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = _semaphores.AcquireSemaphoreAsync("single", 1, cancellationToken: cancel.Token).AsTask();
        Assert.Null(await _semaphores.TryAcquireSemaphoreAsync("single", 1, cancellationToken: Ct));
        Assert.False(waiting.IsCompleted);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(DistributedLockContractTests.Deadline, Ct));
    }
}
