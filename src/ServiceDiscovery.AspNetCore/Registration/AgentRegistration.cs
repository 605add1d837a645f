// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Health;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// The Consul side of this app's registration: every call to the agent (register, TTL heartbeat, anti-entropy
/// verify, deregister or maintenance) with its logging and metrics, and what the agent is known to hold as a result.
/// It decides nothing about when to call: <see cref="RegistrationLoop"/> and <see cref="ConsulRegistrationService"/> do.
/// </summary>
internal sealed partial class AgentRegistration(
    IConsulAgentApi client,
    ApplicationHealthProbe health,
    RegistrationMetrics metrics,
    ILogger<ConsulRegistrationService> logger)
{
    private const string ShutdownMaintenanceReason = "The app is shutting down.";

    private volatile bool _registeredOnce;
    private volatile bool _outcomeUnknown;
    private volatile bool _isRegistered;
    private bool _heartbeatFailing;
    private bool _verifyFailing;

    /// <summary>The agent address, for messages.</summary>
    public Uri AgentAddress => client.Address;

    /// <summary>Gets a value indicating whether the last call that could tell found the service registered.</summary>
    public bool IsRegistered => _isRegistered;

    /// <summary>
    /// Gets a value indicating whether the agent may hold a registration of ours: one succeeded, or one timed out
    /// and may have reached it. Only then is there anything to deregister.
    /// </summary>
    public bool MayBeRegistered => _registeredOnce || _outcomeUnknown;

    /// <summary>Registers (or re-registers) <paramref name="registration"/>. Throws <see cref="ConsulException"/> when the agent refuses or cannot be reached.</summary>
    public async Task RegisterAsync(ServiceRegistration registration, string reason, CancellationToken cancellationToken)
    {
        _outcomeUnknown = true;
        try
        {
            // replace-existing-checks drops checks a previous run registered and this one no longer has (a changed
            // check kind, an additional check removed, a maintenance check left by a Maintenance shutdown).
            await client.RegisterServiceAsync(registration.Body, replaceExistingChecks: true, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            // A timed-out request may still have reached the agent; anything else did not register.
            _outcomeUnknown = ex.Reason == ConsulErrorReason.Timeout;
            metrics.Failed(registration.ServiceName, RegistrationOperations.Register, ex);
            throw;
        }

        _outcomeUnknown = false;
        _registeredOnce = true;
        SetRegistered(registration, registered: true);
        metrics.Registered(registration.ServiceName, reason);
        var endpoint = registration.Endpoint;
        Log.Registered(logger, registration.ServiceName, registration.ServiceId, endpoint.Host, endpoint.Port, endpoint.Scheme, client.Address, reason);
    }

    /// <summary>Logs a failed registration attempt and when it is retried (<see cref="RegisterAsync"/> counted it).</summary>
    public void RegistrationFailed(ServiceRegistration registration, ConsulException exception, int attempt, TimeSpan retryDelay)
    {
        Log.RegistrationFailed(logger, registration.ServiceId, client.Address, attempt, retryDelay, exception.Message);
    }

    /// <summary>Reports the app's health to the TTL check: whether the agent took it, forgot the check, or failed.</summary>
    public async Task<AgentAnswer> HeartbeatAsync(ServiceRegistration registration, string checkId, CancellationToken cancellationToken)
    {
        var (status, output) = await health.ProbeAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await client.UpdateTtlAsync(checkId, status, output, cancellationToken).ConfigureAwait(false);
            if (_heartbeatFailing)
            {
                _heartbeatFailing = false;
                Log.HeartbeatRecovered(logger, registration.ServiceId);
            }

            // The agent knows the check, so it holds the service.
            SetRegistered(registration, registered: true);
            Log.HeartbeatSent(logger, registration.ServiceId, status);
            return AgentAnswer.Holds;
        }
        catch (ConsulException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            SetRegistered(registration, registered: false);
            Log.AgentForgotService(logger, registration.ServiceId, client.Address, "its TTL check update was answered 404");
            return AgentAnswer.Forgotten;
        }
        catch (ConsulException ex)
        {
            // Nobody can vouch for the registration while the agent does not answer: it may be restarting empty.
            SetRegistered(registration, registered: false);
            metrics.Failed(registration.ServiceName, RegistrationOperations.Heartbeat, ex);
            if (!_heartbeatFailing)
            {
                _heartbeatFailing = true;
                Log.HeartbeatFailed(logger, registration.ServiceId, client.Address, ex.Message);
            }

            return AgentAnswer.Failed;
        }
    }

    /// <summary>
    /// Anti-entropy: asks the agent for our service, blocking on <paramref name="hash"/> (the last answer's content
    /// hash) for up to <paramref name="wait"/> when given, so that a change or a restarted agent is seen within one
    /// round trip. Cancellation propagates.
    /// </summary>
    public async Task<AgentCheck> VerifyAsync(ServiceRegistration registration, string? hash, TimeSpan wait, CancellationToken cancellationToken)
    {
        AgentService? service;
        try
        {
            service = await client.WatchAgentServiceAsync(registration.ServiceId, hash, wait, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            SetRegistered(registration, registered: false);
            metrics.Failed(registration.ServiceName, RegistrationOperations.Verify, ex);
            if (!_verifyFailing)
            {
                _verifyFailing = true;
                Log.VerifyFailed(logger, registration.ServiceId, client.Address, ex.Message);
            }

            return new AgentCheck(AgentAnswer.Failed, null, null);
        }

        if (_verifyFailing)
        {
            _verifyFailing = false;
            Log.AgentAnswersAgain(logger, client.Address, registration.ServiceId, service is not null);
        }

        if (service is null)
        {
            SetRegistered(registration, registered: false);
            Log.AgentForgotService(logger, registration.ServiceId, client.Address, "the agent no longer lists it");
            return new AgentCheck(AgentAnswer.Forgotten, RegistrationReasons.Reregistration, null);
        }

        if (service.Port != registration.Endpoint.Port || !string.Equals(service.Address, registration.Endpoint.Host, StringComparison.OrdinalIgnoreCase))
        {
            Log.AgentHasOtherRegistration(logger, registration.ServiceId, service.Address, service.Port);
            return new AgentCheck(AgentAnswer.Forgotten, RegistrationReasons.Changed, null);
        }

        SetRegistered(registration, registered: true);
        return new AgentCheck(AgentAnswer.Holds, null, service.ContentHash);
    }

    /// <summary>
    /// Takes <paramref name="registration"/> out of rotation: deregisters it, or puts it in maintenance mode. Does
    /// nothing when the agent cannot hold it. <see langword="true"/> when the agent confirmed; <see langword="false"/>
    /// when there was nothing to remove or the agent failed (logged, counted). Cancellation propagates.
    /// </summary>
    public async Task<bool> RemoveAsync(ServiceRegistration registration, ConsulShutdownMode mode, CancellationToken cancellationToken)
    {
        if (!MayBeRegistered)
        {
            return false;
        }

        try
        {
            if (mode == ConsulShutdownMode.Maintenance)
            {
                await client.SetServiceMaintenanceAsync(registration.ServiceId, enable: true, ShutdownMaintenanceReason, cancellationToken).ConfigureAwait(false);
                Log.MaintenanceEnabled(logger, registration.ServiceId);
            }
            else
            {
                var known = await client.DeregisterServiceAsync(registration.ServiceId, cancellationToken).ConfigureAwait(false);
                Log.Deregistered(logger, registration.ServiceId, known);
            }

            SetRegistered(registration, registered: false);
            return true;
        }
        catch (ConsulException ex)
        {
            metrics.Failed(registration.ServiceName, RegistrationOperations.Deregister, ex);
            Log.DeregistrationFailed(logger, registration.ServiceId, client.Address, ex.Message);
            return false;
        }
    }

    private void SetRegistered(ServiceRegistration registration, bool registered)
    {
        _isRegistered = registered;
        metrics.SetState(registration.ServiceName, registered);
    }
}

/// <summary>What one call learnt about the agent holding our service.</summary>
internal enum AgentAnswer
{
    /// <summary>The agent holds the service as registered.</summary>
    Holds,

    /// <summary>The agent does not hold it (or holds another address): register again.</summary>
    Forgotten,

    /// <summary>The agent did not answer usefully (unreachable, timeout, error status).</summary>
    Failed,
}

/// <summary>The outcome of <see cref="AgentRegistration.VerifyAsync"/>: the answer, the reason to register again, and the content hash to block on next.</summary>
internal readonly record struct AgentCheck(AgentAnswer Answer, string? Reason, string? Hash);
