// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// One Consul session, renewed in the background, with the split-brain guard: <see cref="LostToken"/> fires when
/// <see cref="SessionTimings"/>'s step-down deadline has passed since the send time of the last renewal Consul
/// confirmed (so before Consul, which keeps the session at least one TTL after that renewal, can invalidate it), or
/// at once when Consul says the session is gone. Time is the injected <see cref="TimeProvider"/>'s monotonic timestamp.
/// The deadline is checked both by a timer and by every read of <see cref="IsHeld"/> or <see cref="LostToken"/>: a process
/// that was paused (SIGSTOP, a GC stall, a VM freeze) past the deadline sees the lease lost at its first read after it
/// resumes, whichever of its threads runs first, and that read fires the token.
/// </summary>
internal sealed partial class SessionLease : IAsyncDisposable
{
    private const string DeadlineReason = "no renewal confirmed in time (step-down deadline)";
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
    private int _losing;

    private SessionLease(IConsulSessionApi sessions, TimeProvider time, ILogger logger, ConsulSessionOptions options, string key, string id, long sentAt)
    {
        _sessions = sessions;
        _time = time;
        _logger = logger;
        _options = options;
        _key = key;
        Id = id;
        _confirmedAt = sentAt;
        _deadlineTimer = time.CreateTimer(static state => ((SessionLease)state!).Lose(DeadlineReason), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        ArmDeadline(sentAt);
        _renewLoop = RenewLoopAsync();
    }

    /// <summary>The Consul session ID.</summary>
    public string Id { get; }

    /// <summary>Fires when this instance must stop acting on anything the session holds (checks the deadline first).</summary>
    public CancellationToken LostToken
    {
        get
        {
            CheckDeadline();
            return _lost.Token;
        }
    }

    /// <summary>
    /// Whether the lease may still be acted on, judged at the moment of the call: not lost, and the step-down deadline
    /// not yet passed on the monotonic clock. Finding the deadline passed loses the lease (the token fires) here.
    /// </summary>
    public bool IsHeld => CheckDeadline();

    /// <summary>The <see cref="TimeProvider"/> timestamp at which the last renewal Consul confirmed was sent (the creation, before any).</summary>
    public long ConfirmedSentAt => Volatile.Read(ref _confirmedAt);

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
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        // The timer, the renew loop, the key watch and any reader of IsHeld may race here. The first caller gives the
        // reason and logs; every caller returns only once the token has fired, so a reader that lost the race does not
        // hand out a live token while the first caller is still logging. (Cancel returns at once when another thread
        // is already cancelling: the token already reports cancellation then.)
        var first = Interlocked.Exchange(ref _losing, 1) == 0 && !_lost.IsCancellationRequested;
        if (first)
        {
            LostReason = reason;
        }

        _lost.Cancel();
        if (first)
        {
            Log.Lost(_logger, _key, Id, reason);
        }
    }

    /// <summary>Fires <see cref="LostToken"/> without logging a loss: the holder is giving the lock up itself.</summary>
    public void Retire()
    {
        if (!_stop.IsCancellationRequested)
        {
            _lost.Cancel();
        }
    }

    /// <summary>Loses the lease if the step-down deadline has passed; returns whether it is still held.</summary>
    private bool CheckDeadline()
    {
        if (_lost.IsCancellationRequested)
        {
            return false;
        }

        if (_time.GetElapsedTime(Volatile.Read(ref _confirmedAt)) < _options.EffectiveStepDownAfter)
        {
            return true;
        }

        Lose(DeadlineReason);
        return false;
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

                // One renewal may not outlast the renewal period: a request hanging for the client's whole timeout
                // (10 s by default, as long as the default step-down deadline) would keep the next renewals from being
                // sent, and the holder would step down although Consul answers them.
                using var period = new CancellationTokenSource(_options.RenewInterval, _time);
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop, period.Token);
                try
                {
                    var info = await _sessions.RenewSessionAsync(Id, attempt.Token).ConfigureAwait(false);
                    if (info is null)
                    {
                        Lose("Consul no longer knows the session (renew answered 404)");
                        return;
                    }

                    Volatile.Write(ref _confirmedAt, sentAt);
                    ArmDeadline(sentAt);
                }
                catch (Exception ex) when (ex is ConsulException || (ex is OperationCanceledException && !stop.IsCancellationRequested))
                {
                    var error = ex is ConsulException ? ex.Message : $"Consul did not answer within the renewal period ({_options.RenewInterval}).";
                    var deadline = _time.GetUtcNow() + _options.EffectiveStepDownAfter - _time.GetElapsedTime(Volatile.Read(ref _confirmedAt));
                    Log.RenewFailed(_logger, Id, _key, deadline, error);
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
