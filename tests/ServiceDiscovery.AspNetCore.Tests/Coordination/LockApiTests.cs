// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// The lock API users expect next to <c>AcquireAsync</c>: try-acquire without an exception for "not now", an acquire
/// that waits without a timeout, optional cancellation tokens, and Debug-level acquire/release logs. Against the test
/// agent or the real Consul of <c>CONSUL_HTTP_ADDR</c>.
/// </summary>
public sealed class LockApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private ConsulTarget _consul = null!;
    private IHost _host = null!;
    private IConsulLockProvider _locks = null!;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        var prefix = _consul.ServiceName("api") + "/";
        _host = CoordinationHost.Build(_consul, services =>
        {
            services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
            services.AddConsulLocks(o => o.KeyPrefix = prefix);
        });
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
    public async Task TryAcquire_returns_a_handle_when_free_and_null_while_held_then_a_handle_again_once_released()
    {
        var first = await _locks.TryAcquireAsync("report", cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(first);
        Assert.True(first.IsHeld);

        Assert.Null(await _locks.TryAcquireAsync("report", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Null(await _locks.TryAcquireAsync("report", TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));

        await first.DisposeAsync();
        Assert.False(first.IsHeld);
        await using var second = await _locks.TryAcquireAsync("report", cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(second);
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task TryAcquire_with_a_timeout_gets_the_lock_released_while_it_waits()
    {
        var first = await _locks.AcquireAsync("handover", TestContext.Current.CancellationToken);
        var waiting = _locks.TryAcquireAsync("handover", Deadline, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);

        await first.DisposeAsync();

        await using var second = await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.NotNull(second);
    }

    [Fact]
    public async Task A_try_that_gives_up_leaves_no_session_behind()
    {
        await using var holder = await _locks.AcquireAsync("sessions", TestContext.Current.CancellationToken);

        Assert.Null(await _locks.TryAcquireAsync("sessions", cancellationToken: TestContext.Current.CancellationToken));

        using var http = new HttpClient { BaseAddress = _consul.Address };
        if (_consul.Token is { Length: > 0 } token)
        {
            http.DefaultRequestHeaders.Add("X-Consul-Token", token);
        }

        var sessions = await http.GetStringAsync(new Uri("v1/session/list", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains(holder.SessionId, sessions, StringComparison.Ordinal);
        Assert.Single(System.Text.Json.JsonDocument.Parse(sessions).RootElement.EnumerateArray(), s => s.GetProperty("Name").GetString()!.Contains("/sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Acquire_without_a_timeout_waits_until_the_holder_releases_and_is_cancellable()
    {
#pragma warning disable xUnit1051 // The overload without a token is what this test covers.
        var first = await _locks.AcquireAsync("wait");
#pragma warning restore xUnit1051
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var cancelled = _locks.AcquireAsync("wait", cancel.Token);
        var waiting = _locks.AcquireAsync("wait", TestContext.Current.CancellationToken);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Deadline, TestContext.Current.CancellationToken));
        Assert.False(waiting.IsCompleted);
        await first.DisposeAsync();

        await using var second = await waiting.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.True(second.IsHeld);
    }

    [Fact]
    public async Task TryAcquireSemaphore_returns_null_when_every_slot_is_taken()
    {
        await using var a = await _locks.AcquireSemaphoreAsync("pool", 2, TestContext.Current.CancellationToken);
        await using var b = await _locks.TryAcquireSemaphoreAsync("pool", 2, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(b);

        Assert.Null(await _locks.TryAcquireSemaphoreAsync("pool", 2, TimeSpan.FromMilliseconds(200), TestContext.Current.CancellationToken));

        await b.DisposeAsync();
        await using var c = await _locks.TryAcquireSemaphoreAsync("pool", 2, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(c);
    }

    [Fact]
    public async Task Acquire_and_release_log_at_debug()
    {
        var handle = await _locks.AcquireAsync("logged", TestContext.Current.CancellationToken);
        await handle.DisposeAsync();

        var records = _host.Services.GetFakeLogCollector().GetSnapshot();
        var acquired = Assert.Single(records, r => r.Id.Name == "ConsulLockAcquired");
        var released = Assert.Single(records, r => r.Id.Name == "ConsulLockReleased");
        Assert.Equal(LogLevel.Debug, acquired.Level);
        Assert.Equal(LogLevel.Debug, released.Level);
        Assert.Contains(handle.FencingToken.ToString(System.Globalization.CultureInfo.InvariantCulture), acquired.Message, StringComparison.Ordinal);
    }
}
