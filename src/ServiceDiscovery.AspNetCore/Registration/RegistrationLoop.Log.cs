// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Registration;

internal sealed partial class RegistrationLoop
{
    private static partial class Log
    {
        [LoggerMessage(2014, LogLevel.Information, "The Consul settings changed; registering '{ServiceId}' again.", EventName = "ConsulRegistrationChanged")]
        public static partial void RegistrationChanged(ILogger logger, string serviceId);

        [LoggerMessage(2015, LogLevel.Warning, "Reloaded Consul settings are invalid and were ignored; the registration keeps the previous ones. {Reason}", EventName = "ConsulReloadRejected")]
        public static partial void ReloadRejected(ILogger logger, string reason);

        [LoggerMessage(2018, LogLevel.Error, "The Consul registration loop failed unexpectedly; it continues after a pause.", EventName = "ConsulRegistrationLoopFailed")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(2020, LogLevel.Warning, "Reloaded Consul settings describe nothing to register and were ignored; the registration stays as it was. {Reason}", EventName = "ConsulReloadNothingToRegister")]
        public static partial void ReloadNothingToRegister(ILogger logger, string reason);
    }
}
