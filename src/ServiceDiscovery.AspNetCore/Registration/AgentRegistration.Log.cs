// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Registration;

internal sealed partial class AgentRegistration
{
    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Information, "Registered service '{ServiceName}' as '{ServiceId}' at {ServiceAddress}:{ServicePort} ({Scheme}) with the Consul agent at {ConsulAddress} ({Reason}).", EventName = "ConsulServiceRegistered")]
        public static partial void Registered(ILogger logger, string serviceName, string serviceId, string serviceAddress, int servicePort, string scheme, Uri consulAddress, string reason);

        [LoggerMessage(2001, LogLevel.Warning, "Registering '{ServiceId}' with the Consul agent at {ConsulAddress} failed (attempt {Attempt}); retrying in {RetryDelay}. {Reason}", EventName = "ConsulRegistrationFailed")]
        public static partial void RegistrationFailed(ILogger logger, string serviceId, Uri consulAddress, int attempt, TimeSpan retryDelay, string reason);

        [LoggerMessage(2002, LogLevel.Warning, "The Consul agent at {ConsulAddress} no longer has '{ServiceId}' ({Evidence}); registering it again.", EventName = "ConsulServiceLost")]
        public static partial void AgentForgotService(ILogger logger, string serviceId, Uri consulAddress, string evidence);

        [LoggerMessage(2003, LogLevel.Information, "Deregistered '{ServiceId}' from Consul (the agent knew it: {Known}).", EventName = "ConsulServiceDeregistered")]
        public static partial void Deregistered(ILogger logger, string serviceId, bool known);

        [LoggerMessage(2004, LogLevel.Warning, "Deregistering '{ServiceId}' from the Consul agent at {ConsulAddress} failed; it stays in Consul until its check turns critical and DeregisterCriticalServiceAfter passes. {Reason}", EventName = "ConsulDeregistrationFailed")]
        public static partial void DeregistrationFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

        [LoggerMessage(2006, LogLevel.Information, "Put '{ServiceId}' in Consul maintenance mode for shutdown.", EventName = "ConsulServiceMaintenanceEnabled")]
        public static partial void MaintenanceEnabled(ILogger logger, string serviceId);

        [LoggerMessage(2009, LogLevel.Debug, "Reported '{Status}' to the TTL check of '{ServiceId}'.", EventName = "ConsulHeartbeatSent")]
        public static partial void HeartbeatSent(ILogger logger, string serviceId, ConsulCheckStatus status);

        [LoggerMessage(2010, LogLevel.Warning, "Reporting the health of '{ServiceId}' to the Consul agent at {ConsulAddress} failed; Consul marks it critical if this lasts a whole TTL. Retrying every heartbeat. {Reason}", EventName = "ConsulHeartbeatFailed")]
        public static partial void HeartbeatFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

        [LoggerMessage(2011, LogLevel.Information, "Reporting the health of '{ServiceId}' to Consul works again.", EventName = "ConsulHeartbeatRecovered")]
        public static partial void HeartbeatRecovered(ILogger logger, string serviceId);

        [LoggerMessage(2012, LogLevel.Warning, "Verifying that the Consul agent at {ConsulAddress} still has '{ServiceId}' failed; checking again every second or two until it answers. {Reason}", EventName = "ConsulVerificationFailed")]
        public static partial void VerifyFailed(ILogger logger, string serviceId, Uri consulAddress, string reason);

        [LoggerMessage(2013, LogLevel.Warning, "The Consul agent has '{ServiceId}' at {AgentAddress}:{AgentPort}, not where this app listens; registering it again.", EventName = "ConsulServiceOverwritten")]
        public static partial void AgentHasOtherRegistration(ILogger logger, string serviceId, string agentAddress, int agentPort);

        [LoggerMessage(2019, LogLevel.Information, "The Consul agent at {ConsulAddress} answers again (it still has '{ServiceId}': {StillRegistered}).", EventName = "ConsulAgentAnswersAgain")]
        public static partial void AgentAnswersAgain(ILogger logger, Uri consulAddress, string serviceId, bool stillRegistered);
    }
}
