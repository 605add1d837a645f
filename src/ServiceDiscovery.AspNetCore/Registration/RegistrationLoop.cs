// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Keeps the registration current while the app runs: retries with jittered exponential backoff until the agent
/// accepts it, sends the TTL heartbeat, verifies that the agent still holds it (anti-entropy) and applies option
/// reloads. One background task; every Consul call goes through <see cref="AgentRegistration"/>.
/// </summary>
internal sealed partial class RegistrationLoop : IAsyncDisposable
{
    private readonly AgentRegistration _agent;
    private readonly IOptionsMonitor<ConsulOptions> _options;
    private readonly Func<ConsulOptions, ServiceRegistration> _build;
    private readonly TimeProvider _time;
    private readonly RegistrationBackoff _backoff;
    /// <summary>
    /// The longest pause between two checks while the agent does not answer, whatever <c>RetryMaxDelay</c> says: an
    /// agent that restarts empty then has the service back within about this long of answering again.
    /// </summary>
    internal static readonly TimeSpan UnreachableRecheckMaxDelay = TimeSpan.FromSeconds(2);

    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _optionsChanged;
    private IDisposable? _optionsSubscription;
    private Task _task = Task.CompletedTask;
    private volatile ServiceRegistration? _registration;
    private volatile ConsulOptions _lastGoodOptions;

    public RegistrationLoop(
        AgentRegistration agent,
        IOptionsMonitor<ConsulOptions> options,
        ConsulOptions startOptions,
        Func<ConsulOptions, ServiceRegistration> build,
        TimeProvider time,
        RegistrationBackoff backoff,
        ILogger logger)
    {
        _agent = agent;
        _options = options;
        _lastGoodOptions = startOptions;
        _build = build;
        _time = time;
        _backoff = backoff;
        _logger = logger;
    }

    /// <summary>Gets what is (to be) registered now; <see langword="null"/> while registration is off or impossible.</summary>
    public ServiceRegistration? Registration => _registration;

    /// <summary>Gets the newest options that passed validation: a rejected reload leaves the previous ones in force.</summary>
    public ConsulOptions Options => _lastGoodOptions;

    /// <summary>The background task, for tests that need it to have finished.</summary>
    public Task Task => _task;

    private ConsulRegistrationOptions RegistrationOptions => _lastGoodOptions.Registration;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Starts the loop for <paramref name="registration"/>; <paramref name="registered"/> says the agent already accepted it.</summary>
    public void Start(ServiceRegistration registration, bool registered)
    {
        _registration = registration;
        _optionsSubscription = _options.OnChange((_, _) => SignalOptionsChanged());
        _task = Task.Run(() => RunAsync(registered, _stopping.Token), CancellationToken.None);
    }

    /// <summary>Stops the loop and waits for it, at most until <paramref name="cancellationToken"/> fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _optionsSubscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop observes the same cancellation; a call that ignores it must not hold shutdown.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _optionsSubscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
#pragma warning disable VSTHRD003 // The loop is this object's own task, started in Start.
            await _task.ConfigureAwait(false);
#pragma warning restore VSTHRD003
        }
        catch (OperationCanceledException)
        {
            // Expected: the loop was cancelled.
        }

        _stopping.Dispose();
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The loop outlives any one failure: a bug in one step must not end registration for the app's lifetime.")]
    private async Task RunAsync(bool registered, CancellationToken cancellationToken)
    {
        var pendingReason = registered ? null : RegistrationReasons.Initial;
        var attempt = 0;
        var failures = 0;
        var lostInARow = 0;
        string? hash = null;
        var nextVerify = Now + RegistrationOptions.AntiEntropyInterval;
        var nextHeartbeat = Now;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (Interlocked.Exchange(ref _optionsChanged, 0) == 1)
                {
                    pendingReason = await ApplyOptionsChangeAsync(pendingReason, cancellationToken).ConfigureAwait(false);
                }

                var registration = _registration;
                if (registration is null)
                {
                    await WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (pendingReason is not null)
                {
                    try
                    {
                        await _agent.RegisterAsync(registration, pendingReason, cancellationToken).ConfigureAwait(false);
                        pendingReason = null;
                        attempt = 0;
                        failures = 0;
                        hash = null;
                        nextVerify = Now + RegistrationOptions.AntiEntropyInterval;
                        nextHeartbeat = Now;
                    }
                    catch (ConsulException ex)
                    {
                        attempt++;
                        var delay = _backoff.NextDelay(attempt, RegistrationOptions.RetryInitialDelay, RegistrationOptions.RetryMaxDelay);
                        _agent.RegistrationFailed(registration, ex, attempt, delay);
                        await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                var now = Now;
                if (registration.TtlCheckId is { } checkId && now >= nextHeartbeat)
                {
                    nextHeartbeat = now + registration.Ttl / 3;
                    var answer = await _agent.HeartbeatAsync(registration, checkId, cancellationToken).ConfigureAwait(false);
                    if (answer == AgentAnswer.Forgotten)
                    {
                        await BackOffRepeatedLossAsync(++lostInARow, cancellationToken).ConfigureAwait(false);
                        pendingReason = RegistrationReasons.Reregistration;
                        continue;
                    }

                    if (answer == AgentAnswer.Failed)
                    {
                        // Ask the agent again without blocking: it may be coming back empty.
                        hash = null;
                    }
                }

                now = Now;
                if (now >= nextVerify)
                {
                    nextVerify = now + RegistrationOptions.AntiEntropyInterval;
                    hash = null;
                }

                var due = registration.TtlCheckId is null || nextVerify < nextHeartbeat ? nextVerify : nextHeartbeat;
                if (await VerifyUntilAsync(registration, hash, due - now, cancellationToken).ConfigureAwait(false) is not { } check)
                {
                    // The wait ran out (or the options changed) before the agent answered: back to the schedule.
                    continue;
                }

                hash = check.Hash;
                if (check.Answer == AgentAnswer.Failed)
                {
                    // The agent is unreachable (or failing): keep asking at a short jittered pace rather than at the
                    // anti-entropy interval, so that an agent that restarts empty has us back within seconds.
                    failures++;
                    var delay = _backoff.NextDelay(failures, RegistrationOptions.RetryInitialDelay, Min(RegistrationOptions.RetryMaxDelay, UnreachableRecheckMaxDelay));
                    await WaitAsync(Min(delay, due - Now), cancellationToken).ConfigureAwait(false);
                    continue;
                }

                failures = 0;
                if (check.Reason is not { } reason)
                {
                    // Only the watch showing the service held ends a run of losses: a heartbeat the agent takes does not,
                    // since it vouches for the check alone.
                    lostInARow = 0;
                    continue;
                }

                await BackOffRepeatedLossAsync(++lostInARow, cancellationToken).ConfigureAwait(false);
                pendingReason = reason;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(_logger, ex);
                try
                {
                    await WaitAsync(RegistrationOptions.RetryMaxDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task<string?> ApplyOptionsChangeAsync(string? pendingReason, CancellationToken cancellationToken)
    {
        ConsulOptions options;
        try
        {
            options = _options.CurrentValue;
        }
        catch (OptionsValidationException ex)
        {
            Log.ReloadRejected(_logger, ex.Message);
            return pendingReason;
        }

        _lastGoodOptions = options;
        var previous = _registration;
        if (!options.Registration.Enabled)
        {
            if (previous is not null)
            {
                _registration = null;
                await _agent.RemoveAsync(previous, ConsulShutdownMode.Deregister, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        ServiceRegistration updated;
        try
        {
            updated = _build(options);
        }
        catch (InvalidOperationException ex)
        {
            Log.ReloadNothingToRegister(_logger, ex.Message);
            return pendingReason;
        }

        if (updated.HasSameBody(previous))
        {
            return pendingReason;
        }

        if (previous is not null && previous.ServiceId != updated.ServiceId)
        {
            await _agent.RemoveAsync(previous, ConsulShutdownMode.Deregister, cancellationToken).ConfigureAwait(false);
        }

        _registration = updated;
        Log.RegistrationChanged(_logger, updated.ServiceId);
        return pendingReason ?? RegistrationReasons.Changed;
    }

    /// <summary>
    /// Verifies the registration, blocking on <paramref name="hash"/> (when known) until <paramref name="until"/> has
    /// passed on the <see cref="TimeProvider"/> or the options change; <see langword="null"/> when it ended that way.
    /// </summary>
    private async Task<AgentCheck?> VerifyUntilAsync(ServiceRegistration registration, string? hash, TimeSpan until, CancellationToken cancellationToken)
    {
        var wake = Volatile.Read(ref _wake);
        if (Volatile.Read(ref _optionsChanged) == 1)
        {
            return null;
        }

        if (until <= TimeSpan.Zero)
        {
            until = TimeSpan.FromMilliseconds(1);
        }

        // Only a blocking call (one with a hash) needs the schedule's deadline; without a hash the agent answers at once.
        using var deadline = hash is null ? new CancellationTokenSource() : new CancellationTokenSource(until, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var call = _agent.VerifyAsync(registration, hash, until, linked.Token);
        if (await Task.WhenAny(call, wake.Task).ConfigureAwait(false) != call)
        {
            await linked.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <summary>
    /// An agent that accepts the registration and then denies holding it (the watch misses it, or the TTL update is
    /// answered 404) must not get a registration storm: the first loss re-registers at once, the
    /// <paramref name="lostInARow"/>-th without the watch seeing the service held in between backs off like a failed registration.
    /// </summary>
    private Task BackOffRepeatedLossAsync(int lostInARow, CancellationToken cancellationToken)
        => lostInARow > 1
            ? WaitAsync(_backoff.NextDelay(lostInARow - 1, RegistrationOptions.RetryInitialDelay, RegistrationOptions.RetryMaxDelay), cancellationToken)
            : Task.CompletedTask;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Waits <paramref name="delay"/> on the <see cref="TimeProvider"/>, or less when options change.</summary>
    private async Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var wake = Volatile.Read(ref _wake);
        if (Volatile.Read(ref _optionsChanged) == 1 || (delay <= TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan))
        {
            cancellationToken.ThrowIfCancellationRequested();
            return;
        }

        using var delayCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delayTask = Task.Delay(delay, _time, delayCancellation.Token);
        await Task.WhenAny(delayTask, wake.Task).ConfigureAwait(false);
        await delayCancellation.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private void SignalOptionsChanged()
    {
        Volatile.Write(ref _optionsChanged, 1);
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
