// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// One Consul session, renewed in the background, with the split-brain guard: <see cref="LostToken"/> fires when
/// <see cref="SessionTimings"/>'s step-down deadline has passed since the send time of the last renewal Consul
/// confirmed (so before Consul, which keeps the session at least one TTL after that renewal, can invalidate it), or
/// at once when Consul says the session is gone. Time is the injected <see cref="TimeProvider"/>'s.
/// </summary>
internal sealed partial class SessionLease : IAsyncDisposable
{
    private readonly IConsulSessionApi _sessions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConsulSessionOptions _options;
    private readonly string _key;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _deadlineTimer;
    private readonly Task _renewLoop;
    private long _confirmedAt;

    private SessionLease(IConsulSessionApi sessions, TimeProvider time, ILogger logger, ConsulSessionOptions options, string key, string id, long sentAt)
    {
        _sessions = sessions;
        _time = time;
        _logger = logger;
        _options = options;
        _key = key;
        Id = id;
        _confirmedAt = sentAt;
        _deadlineTimer = time.CreateTimer(static state => ((SessionLease)state!).Lose("no renewal confirmed in time (step-down deadline)"), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmDeadline(sentAt);
        _renewLoop = RenewLoopAsync();
    }

    /// <summary>The Consul session ID.</summary>
    public string Id { get; }

    /// <summary>Fires when this instance must stop acting on anything the session holds.</summary>
    public CancellationToken LostToken => _lost.Token;

    /// <summary>Why the lease was lost, once it has been.</summary>
    public string? LostReason { get; private set; }

    /// <summary>Creates a session named after <paramref name="key"/> and starts renewing it.</summary>
    public static async Task<SessionLease> CreateAsync(IConsulSessionApi sessions, TimeProvider time, ILogger logger, ConsulSessionOptions options, string key, CancellationToken cancellationToken)
    {
        var sentAt = time.GetTimestamp();
        var id = await sessions.CreateSessionAsync(
            new SessionCreateRequest
            {
                Name = "ServiceDiscovery.AspNetCore " + key,
                TTL = options.SessionTtl,
                LockDelay = options.LockDelay,
                Behavior = "release",
            },
            cancellationToken).ConfigureAwait(false);
        return new SessionLease(sessions, time, logger, options, key, id, sentAt);
    }

    /// <summary>Marks the lease lost (the lock was observed taken away, for example). Idempotent.</summary>
    public void Lose(string reason)
    {
        if (_lost.IsCancellationRequested || _stop.IsCancellationRequested)
        {
            return;
        }

        LostReason = reason;
        Log.Lost(_logger, _key, Id, reason);
        _lost.Cancel();
    }

    /// <summary>Fires <see cref="LostToken"/> without logging a loss: the holder is giving the lock up itself.</summary>
    public void Retire()
    {
        if (!_stop.IsCancellationRequested)
        {
            _lost.Cancel();
        }
    }

    private void ArmDeadline(long confirmedSentAt)
    {
        var remaining = _options.EffectiveStepDownAfter - _time.GetElapsedTime(confirmedSentAt);
        _deadlineTimer.Change(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    private async Task RenewLoopAsync()
    {
        var stop = _stop.Token;
        // A periodic timer keeps the renewal schedule fixed however long each renewal takes.
        using var ticks = new PeriodicTimer(_options.RenewInterval, _time);
        try
        {
            while (!_lost.IsCancellationRequested && await ticks.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var sentAt = _time.GetTimestamp();
                try
                {
                    var info = await _sessions.RenewSessionAsync(Id, stop).ConfigureAwait(false);
                    if (info is null)
                    {
                        Lose("Consul no longer knows the session (renew answered 404)");
                        return;
                    }

                    Volatile.Write(ref _confirmedAt, sentAt);
                    ArmDeadline(sentAt);
                }
                catch (ConsulException ex)
                {
                    var deadline = _time.GetUtcNow() + _options.EffectiveStepDownAfter - _time.GetElapsedTime(Volatile.Read(ref _confirmedAt));
                    Log.RenewFailed(_logger, Id, _key, deadline, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    /// <summary>Stops renewing and destroys the session (best effort: a failure leaves it to its TTL).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        // Whoever acts under the lease stops before the lock is given up.
        await _lost.CancelAsync().ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _deadlineTimer.DisposeAsync().ConfigureAwait(false);
#pragma warning disable VSTHRD003 // The renew loop is this lease's own task, started in the constructor.
        await _renewLoop.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5), _time);
            await _sessions.DestroySessionAsync(Id, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConsulException or OperationCanceledException)
        {
            Log.DestroyFailed(_logger, Id, _key, ex.Message);
        }

        _stop.Dispose();
    }
}
