// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// A held lock or semaphore slot: the lease, the watch that loses it when Consul shows it taken away, and the release.
/// Disposal fires <see cref="LostToken"/> first, then releases, then destroys the session.
/// </summary>
internal sealed partial class ConsulLockHandle : IConsulLockHandle
{
    private static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(5);
    private readonly SessionLease _lease;
    private readonly Func<CancellationToken, Task> _release;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _watchStop;
    private readonly Task _watch;
    private int _disposed;

    public ConsulLockHandle(string key, ulong fencingToken, SessionLease lease, Func<SessionLease, CancellationToken, Task> watch, Func<CancellationToken, Task> release, TimeProvider time, ILogger logger)
    {
        Key = key;
        FencingToken = fencingToken;
        _lease = lease;
        _release = release;
        _time = time;
        _logger = logger;
        _watchStop = CancellationTokenSource.CreateLinkedTokenSource(lease.LostToken);
        _watch = watch(lease, _watchStop.Token);
    }

    public string Key { get; }

    public string SessionId => _lease.Id;

    public ulong FencingToken { get; }

    public CancellationToken LostToken => _lease.LostToken;

    public bool IsHeld => _lease.IsHeld;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _lease.Retire();
        await _watchStop.CancelAsync().ConfigureAwait(false);
#pragma warning disable VSTHRD003 // The watch is this handle's own task, started in the constructor.
        await _watch.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        _watchStop.Dispose();
        try
        {
            using var timeout = new CancellationTokenSource(ReleaseTimeout, _time);
            await _release(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConsulException or OperationCanceledException)
        {
            Log.ReleaseFailed(_logger, Key, SessionId, ex.Message);
        }

        await _lease.DisposeAsync().ConfigureAwait(false);
        Log.Released(_logger, Key, SessionId);
    }
}
