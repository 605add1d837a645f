// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Health;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Keeps this app registered in Consul while it runs. Registers in <see cref="StartedAsync"/>, once the server listens
/// (a hosted service's <c>StartAsync</c> runs before Kestrel binds, so the real port is not known there), and never
/// delays start-up unless <c>FailFast</c> asks for it. A background loop retries with jittered exponential backoff,
/// sends the TTL heartbeat, verifies that the agent still has the service (anti-entropy) and applies option reloads.
/// <see cref="StoppingAsync"/>, which runs before the server stops taking requests, deregisters (or enters
/// maintenance) and then drains, all within the host's shutdown timeout.
/// </summary>
internal sealed partial class ConsulRegistrationService : IHostedLifecycleService, IConsulRegistration, IAsyncDisposable
{
    private const string ShutdownMaintenanceReason = "The app is shutting down.";

    private readonly IConsulAgentApi _client;
    private readonly IOptionsMonitor<ConsulOptions> _options;
    private readonly TimeProvider _time;
    private readonly IServiceProvider _services;
    private readonly INetworkAddressSource _network;
    private readonly RegistrationBackoff _backoff;
    private readonly RegistrationMetrics _metrics;
    private readonly ApplicationHealthProbe _health;
    private readonly ILogger _logger;
    private readonly string? _applicationName;
    private readonly CancellationTokenSource _stopping = new();

    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _optionsChanged;
    private int _stopRequested;
    private int _disposed;
    private IDisposable? _optionsSubscription;
    private Task _loop = Task.CompletedTask;
    private IReadOnlyCollection<string> _boundAddresses = [];
    private ConsulOptions? _lastGoodOptions;
    private volatile ServiceRegistration? _registration;
    private volatile bool _registeredOnce;
    private volatile bool _isRegistered;
    private volatile bool _outcomeUnknown;
    private bool _heartbeatFailing;
    private bool _verifyFailing;

    public ConsulRegistrationService(
        IConsulAgentApi client,
        IOptionsMonitor<ConsulOptions> options,
        TimeProvider time,
        IServiceProvider services,
        INetworkAddressSource network,
        RegistrationBackoff backoff,
        RegistrationMetrics metrics,
        ApplicationHealthProbe health,
        ILogger<ConsulRegistrationService> logger,
        IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(backoff);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options;
        _time = time;
        _services = services;
        _network = network;
        _backoff = backoff;
        _metrics = metrics;
        _health = health;
        _logger = logger;
        _applicationName = environment?.ApplicationName;
    }

    /// <inheritdoc/>
    public string? ServiceId => _registration?.ServiceId;

    /// <inheritdoc/>
    public string? ServiceName => _registration?.ServiceName;

    /// <inheritdoc/>
    public Uri? Endpoint => _registration is { } registration ? new Uri(registration.Endpoint.Url("/")) : null;

    /// <inheritdoc/>
    public bool IsRegistered => _isRegistered;

    /// <summary>The background loop, for tests that need it to have finished.</summary>
    internal Task Loop => _loop;

    /// <summary>The entry assembly's version written to <c>Meta.version</c>; settable for tests.</summary>
    internal string Version { get; init; } = RegistrationBuilder.EntryAssemblyVersion();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        _lastGoodOptions = options;
        if (!options.Registration.Enabled)
        {
            Log.RegistrationDisabled(_logger);
            return;
        }

        _boundAddresses = ReadBoundAddresses();
        ServiceRegistration registration;
        try
        {
            registration = Build(options);
        }
        catch (InvalidOperationException ex)
        {
            Log.NothingToRegister(_logger, ex.Message);
            if (options.Registration.FailFast)
            {
                throw new InvalidOperationException($"Consul registration cannot start and Consul:Registration:FailFast is on: {ex.Message}", ex);
            }

            return;
        }

        _registration = registration;
        var registered = false;
        if (options.Registration.FailFast)
        {
            try
            {
                await RegisterAsync(registration, RegistrationReasons.Initial, cancellationToken).ConfigureAwait(false);
                registered = true;
            }
            catch (ConsulException ex)
            {
                _metrics.Failed(registration.ServiceName, RegistrationOperations.Register, ex);
                throw new InvalidOperationException(
                    $"Could not register service '{registration.ServiceName}' (id '{registration.ServiceId}') with the Consul agent at {_client.Address}, and Consul:Registration:FailFast is on, so the app does not start: {ex.Message} "
                    + "Make sure the agent is running and reachable (Consul:Address or CONSUL_HTTP_ADDR) and that the token may write the service, or turn FailFast off to start anyway and keep retrying in the background.",
                    ex);
            }
        }

        _optionsSubscription = _options.OnChange((_, _) => SignalOptionsChanged());
        _loop = Task.Run(() => RunAsync(registered, _stopping.Token), CancellationToken.None);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1)
        {
            return;
        }

        _optionsSubscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The loop observes the same cancellation; a call that ignores it must not hold shutdown.
        }

        var registration = _registration;
        if (registration is null || !(_registeredOnce || _outcomeUnknown))
        {
            return;
        }

        var registrationOptions = (_lastGoodOptions ?? _options.CurrentValue).Registration;
        try
        {
            if (registrationOptions.ShutdownMode == ConsulShutdownMode.Maintenance)
            {
                await _client.SetServiceMaintenanceAsync(registration.ServiceId, enable: true, ShutdownMaintenanceReason, cancellationToken).ConfigureAwait(false);
                Log.MaintenanceEnabled(_logger, registration.ServiceId);
            }
            else
            {
                var known = await _client.DeregisterServiceAsync(registration.ServiceId, cancellationToken).ConfigureAwait(false);
                Log.Deregistered(_logger, registration.ServiceId, known);
            }

            SetRegistered(registration, registered: false);
        }
        catch (ConsulException ex)
        {
            _metrics.Failed(registration.ServiceName, RegistrationOperations.Deregister, ex);
            Log.DeregistrationFailed(_logger, registration.ServiceId, _client.Address, ex.Message);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DeregistrationTimedOut(_logger, registration.ServiceId, _client.Address);
            return;
        }

        var drain = registrationOptions.DrainDelay;
        if (drain > TimeSpan.Zero)
        {
            Log.Draining(_logger, registration.ServiceId, drain);
            try
            {
                await Task.Delay(drain, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.DrainCutShort(_logger, registration.ServiceId);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The container disposes this instance twice: as itself and as the IHostedService that forwards to it.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _optionsSubscription?.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
#pragma warning disable VSTHRD003 // The loop is this service's own task, started in StartedAsync.
            await _loop.ConfigureAwait(false);
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
        var nextVerify = Now + CurrentRegistrationOptions.AntiEntropyInterval;
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
                        await RegisterAsync(registration, pendingReason, cancellationToken).ConfigureAwait(false);
                        pendingReason = null;
                        attempt = 0;
                        nextVerify = Now + CurrentRegistrationOptions.AntiEntropyInterval;
                        nextHeartbeat = Now;
                    }
                    catch (ConsulException ex)
                    {
                        attempt++;
                        var retry = CurrentRegistrationOptions;
                        var delay = _backoff.NextDelay(attempt, retry.RetryInitialDelay, retry.RetryMaxDelay);
                        _metrics.Failed(registration.ServiceName, RegistrationOperations.Register, ex);
                        Log.RegistrationFailed(_logger, registration.ServiceId, _client.Address, attempt, delay, ex.Message);
                        await WaitAsync(delay, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                var now = Now;
                if (registration.TtlCheckId is { } checkId && now >= nextHeartbeat)
                {
                    nextHeartbeat = now + registration.Ttl / 3;
                    if (!await HeartbeatAsync(registration, checkId, cancellationToken).ConfigureAwait(false))
                    {
                        pendingReason = RegistrationReasons.Reregistration;
                        continue;
                    }
                }

                if (now >= nextVerify)
                {
                    nextVerify = now + CurrentRegistrationOptions.AntiEntropyInterval;
                    if (await VerifyAsync(registration, cancellationToken).ConfigureAwait(false) is { } reason)
                    {
                        pendingReason = reason;
                        continue;
                    }
                }

                var due = registration.TtlCheckId is null || nextVerify < nextHeartbeat ? nextVerify : nextHeartbeat;
                await WaitAsync(due - Now, cancellationToken).ConfigureAwait(false);
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
                    await WaitAsync(CurrentRegistrationOptions.RetryMaxDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task RegisterAsync(ServiceRegistration registration, string reason, CancellationToken cancellationToken)
    {
        _outcomeUnknown = true;
        try
        {
            // replace-existing-checks drops checks a previous run registered and this one no longer has (a changed
            // check kind, an additional check removed, a maintenance check left by a Maintenance shutdown).
            await _client.RegisterServiceAsync(registration.Body, replaceExistingChecks: true, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            // A timed-out request may still have reached the agent; anything else did not register.
            _outcomeUnknown = ex.Reason == ConsulErrorReason.Timeout;
            throw;
        }

        _outcomeUnknown = false;
        _registeredOnce = true;
        _isRegistered = true;
        _metrics.Registered(registration.ServiceName, reason);
        var endpoint = registration.Endpoint;
        Log.Registered(_logger, registration.ServiceName, registration.ServiceId, endpoint.Host, endpoint.Port, endpoint.Scheme, _client.Address, reason);
    }

    /// <summary>Reports the app's health to the TTL check. <see langword="false"/> when the agent no longer knows the check.</summary>
    private async Task<bool> HeartbeatAsync(ServiceRegistration registration, string checkId, CancellationToken cancellationToken)
    {
        var (status, output) = await _health.ProbeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.UpdateTtlAsync(checkId, status, output, cancellationToken).ConfigureAwait(false);
            if (_heartbeatFailing)
            {
                _heartbeatFailing = false;
                Log.HeartbeatRecovered(_logger, registration.ServiceId);
            }

            Log.HeartbeatSent(_logger, registration.ServiceId, status);
            return true;
        }
        catch (ConsulException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            SetRegistered(registration, registered: false);
            Log.AgentForgotService(_logger, registration.ServiceId, _client.Address, "its TTL check update was answered 404");
            return false;
        }
        catch (ConsulException ex)
        {
            _metrics.Failed(registration.ServiceName, RegistrationOperations.Heartbeat, ex);
            if (!_heartbeatFailing)
            {
                _heartbeatFailing = true;
                Log.HeartbeatFailed(_logger, registration.ServiceId, _client.Address, ex.Message);
            }

            return true;
        }
    }

    /// <summary>Anti-entropy: the reason to register again, or <see langword="null"/> when the agent has us as we registered.</summary>
    private async Task<string?> VerifyAsync(ServiceRegistration registration, CancellationToken cancellationToken)
    {
        try
        {
            var service = await _client.GetAgentServiceAsync(registration.ServiceId, cancellationToken).ConfigureAwait(false);
            _verifyFailing = false;
            if (service is null)
            {
                SetRegistered(registration, registered: false);
                Log.AgentForgotService(_logger, registration.ServiceId, _client.Address, "the agent no longer lists it");
                return RegistrationReasons.Reregistration;
            }

            if (service.Port != registration.Endpoint.Port || !string.Equals(service.Address, registration.Endpoint.Host, StringComparison.OrdinalIgnoreCase))
            {
                Log.AgentHasOtherRegistration(_logger, registration.ServiceId, service.Address, service.Port);
                return RegistrationReasons.Changed;
            }

            return null;
        }
        catch (ConsulException ex)
        {
            _metrics.Failed(registration.ServiceName, RegistrationOperations.Verify, ex);
            if (!_verifyFailing)
            {
                _verifyFailing = true;
                Log.VerifyFailed(_logger, registration.ServiceId, _client.Address, ex.Message);
            }

            return null;
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
                await TryDeregisterAsync(previous, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        ServiceRegistration updated;
        try
        {
            updated = Build(options);
        }
        catch (InvalidOperationException ex)
        {
            Log.NothingToRegister(_logger, ex.Message);
            return pendingReason;
        }

        if (updated.HasSameBody(previous))
        {
            return pendingReason;
        }

        if (previous is not null && previous.ServiceId != updated.ServiceId)
        {
            await TryDeregisterAsync(previous, cancellationToken).ConfigureAwait(false);
        }

        _registration = updated;
        Log.RegistrationChanged(_logger, updated.ServiceId);
        return pendingReason ?? RegistrationReasons.Changed;
    }

    private async Task TryDeregisterAsync(ServiceRegistration registration, CancellationToken cancellationToken)
    {
        if (!(_registeredOnce || _outcomeUnknown))
        {
            return;
        }

        try
        {
            var known = await _client.DeregisterServiceAsync(registration.ServiceId, cancellationToken).ConfigureAwait(false);
            Log.Deregistered(_logger, registration.ServiceId, known);
            SetRegistered(registration, registered: false);
        }
        catch (ConsulException ex)
        {
            _metrics.Failed(registration.ServiceName, RegistrationOperations.Deregister, ex);
            Log.DeregistrationFailed(_logger, registration.ServiceId, _client.Address, ex.Message);
        }
    }

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

    private ServiceRegistration Build(ConsulOptions options)
    {
        var endpoint = ServerAddressSelector.Select(_boundAddresses, options.Service, _network);
        return RegistrationBuilder.Build(options, endpoint, _applicationName, Version);
    }

    private string[] ReadBoundAddresses()
        => _services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];

    private void SetRegistered(ServiceRegistration registration, bool registered)
    {
        _isRegistered = registered;
        _metrics.SetState(registration.ServiceName, registered);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private ConsulRegistrationOptions CurrentRegistrationOptions => (_lastGoodOptions ?? _options.CurrentValue).Registration;
}
