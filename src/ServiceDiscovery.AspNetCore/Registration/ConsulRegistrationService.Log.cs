// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Registration;

internal sealed partial class ConsulRegistrationService
{
    private static partial class Log
    {
        [LoggerMessage(2005, LogLevel.Warning, "Deregistering '{ServiceId}' from the Consul agent at {ConsulAddress} did not finish within the host's shutdown timeout; stopping anyway.", EventName = "ConsulDeregistrationTimedOut")]
        public static partial void DeregistrationTimedOut(ILogger logger, string serviceId, Uri consulAddress);

        [LoggerMessage(2007, LogLevel.Information, "Draining '{ServiceId}' for {DrainDelay} before the server stops taking requests.", EventName = "ConsulDraining")]
        public static partial void Draining(ILogger logger, string serviceId, TimeSpan drainDelay);

        [LoggerMessage(2008, LogLevel.Warning, "The drain of '{ServiceId}' was cut short by the host's shutdown timeout.", EventName = "ConsulDrainCutShort")]
        public static partial void DrainCutShort(ILogger logger, string serviceId);

        [LoggerMessage(2016, LogLevel.Error, "This app is not registered in Consul: {Reason}", EventName = "ConsulNothingToRegister")]
        public static partial void NothingToRegister(ILogger logger, string reason);

        [LoggerMessage(2017, LogLevel.Information, "Consul registration is off ({SettingKey} is false).", EventName = "ConsulRegistrationDisabled")]
        public static partial void RegistrationDisabled(ILogger logger, string settingKey);
    }
}
