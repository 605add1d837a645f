// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// The registration concern's log messages, shared by the lifecycle service, the loop and the agent calls.
/// Event ids 300-349; EventNames are a public contract (log queries and alerts match on them).
/// </summary>
internal static partial class RegistrationLog
{
    [LoggerMessage(300, LogLevel.Information, "Registered service '{ServiceName}' as '{ServiceId}' at {ServiceAddress}:{ServicePort} ({Scheme}) with the Consul agent at {ConsulAddress} ({Reason}).", EventName = "ConsulServiceRegistered")]
    public static partial void Registered(ILogger logger, string serviceName, string serviceId, string serviceAddress, int servicePort, string scheme, Uri consulAddress, string reason);

    [LoggerMessage(301, LogLevel.Warning, "Registering '{ServiceId}' with the Consul agent at {ConsulAddress} failed (attempt {Attempt}); retrying in {RetryDelay}. {Reason}", EventName = "ConsulRegistrationFailed")]
    public static partial void RegistrationFailed(ILogger logger, string serviceId, Uri consulAddress, int attempt, TimeSpan retryDelay, string reason);

    [LoggerMessage(302, LogLevel.Warning, "The Consul agent at {ConsulAddress} no longer has '{ServiceId}' ({Evidence}); registering it again.", EventName = "ConsulServiceLost")]
    public static partial void AgentForgotService(ILogger logger, string serviceId, Uri consulAddress, string evidence);

    [LoggerMessage(303, LogLevel.Information, "Deregistered '{ServiceId}' from Consul (the agent knew it: {Known}).", EventName = "ConsulServiceDeregistered")]
    public static partial void Deregistered(ILogger logger, string serviceId, bool known);

    [LoggerMessage(304, LogLevel.Warning, "Deregistering '{ServiceId}' from the Consul agent at {ConsulAddress} failed; it stays in Consul until its check turns critical and DeregisterCriticalServiceAfter passes. {Reason}", EventName = "ConsulDeregistrationFailed")]
    public static partial void DeregistrationFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

    [LoggerMessage(305, LogLevel.Warning, "Deregistering '{ServiceId}' from the Consul agent at {ConsulAddress} did not finish within the host's shutdown timeout; stopping anyway.", EventName = "ConsulDeregistrationTimedOut")]
    public static partial void DeregistrationTimedOut(ILogger logger, string serviceId, Uri consulAddress);

    [LoggerMessage(306, LogLevel.Information, "Put '{ServiceId}' in Consul maintenance mode for shutdown.", EventName = "ConsulServiceMaintenanceEnabled")]
    public static partial void MaintenanceEnabled(ILogger logger, string serviceId);

    [LoggerMessage(307, LogLevel.Information, "Draining '{ServiceId}' for {DrainDelay} before the server stops taking requests.", EventName = "ConsulDraining")]
    public static partial void Draining(ILogger logger, string serviceId, TimeSpan drainDelay);

    [LoggerMessage(308, LogLevel.Warning, "The drain of '{ServiceId}' was cut short by the host's shutdown timeout.", EventName = "ConsulDrainCutShort")]
    public static partial void DrainCutShort(ILogger logger, string serviceId);

    [LoggerMessage(309, LogLevel.Debug, "Reported '{Status}' to the TTL check of '{ServiceId}'.", EventName = "ConsulHeartbeatSent")]
    public static partial void HeartbeatSent(ILogger logger, string serviceId, ConsulCheckStatus status);

    [LoggerMessage(310, LogLevel.Warning, "Reporting the health of '{ServiceId}' to the Consul agent at {ConsulAddress} failed; Consul marks it critical if this lasts a whole TTL. Retrying every heartbeat. {Reason}", EventName = "ConsulHeartbeatFailed")]
    public static partial void HeartbeatFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

    [LoggerMessage(311, LogLevel.Information, "Reporting the health of '{ServiceId}' to Consul works again.", EventName = "ConsulHeartbeatRecovered")]
    public static partial void HeartbeatRecovered(ILogger logger, string serviceId);

    [LoggerMessage(312, LogLevel.Warning, "Verifying that the Consul agent at {ConsulAddress} still has '{ServiceId}' failed; checking again every second or two until it answers. {Reason}", EventName = "ConsulVerificationFailed")]
    public static partial void VerifyFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

    [LoggerMessage(319, LogLevel.Information, "The Consul agent at {ConsulAddress} answers again (it still has '{ServiceId}': {StillRegistered}).", EventName = "ConsulAgentAnswersAgain")]
    public static partial void AgentAnswersAgain(ILogger logger, Uri consulAddress, string serviceId, bool stillRegistered);

    [LoggerMessage(313, LogLevel.Warning, "The Consul agent has '{ServiceId}' at {AgentAddress}:{AgentPort}, not where this app listens; registering it again.", EventName = "ConsulServiceOverwritten")]
    public static partial void AgentHasOtherRegistration(ILogger logger, string serviceId, string agentAddress, int agentPort);

    [LoggerMessage(314, LogLevel.Information, "The Consul settings changed; registering '{ServiceId}' again.", EventName = "ConsulRegistrationChanged")]
    public static partial void RegistrationChanged(ILogger logger, string serviceId);

    [LoggerMessage(315, LogLevel.Warning, "Reloaded Consul settings are invalid and were ignored; the registration keeps the previous ones. {Reason}", EventName = "ConsulReloadRejected")]
    public static partial void ReloadRejected(ILogger logger, string reason);

    [LoggerMessage(316, LogLevel.Error, "This app is not registered in Consul: {Reason}", EventName = "ConsulNothingToRegister")]
    public static partial void NothingToRegister(ILogger logger, string reason);

    [LoggerMessage(317, LogLevel.Information, "Consul registration is off (Consul:Registration:Enabled is false).", EventName = "ConsulRegistrationDisabled")]
    public static partial void RegistrationDisabled(ILogger logger);

    [LoggerMessage(318, LogLevel.Error, "The Consul registration loop failed unexpectedly; it continues after a pause.", EventName = "ConsulRegistrationLoopFailed")]
    public static partial void LoopFailed(ILogger logger, Exception exception);
}
