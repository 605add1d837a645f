// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Http;

internal sealed partial class ConsulDiscoveryHttpHandler
{
    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Warning, "No healthy instance of Consul service '{ServiceName}' for {Method} {Path}; the request was not sent.", EventName = "ConsulNoHealthyInstance")]
        public static partial void NoHealthyInstance(ILogger logger, string serviceName, string method, string path);

        [LoggerMessage(4002, LogLevel.Warning, "Connecting to instance '{InstanceId}' of '{ServiceName}' at {InstanceUri} failed; it is avoided for a while.", EventName = "ConsulInstanceEjected")]
        public static partial void InstanceEjected(ILogger logger, string instanceId, string serviceName, Uri instanceUri, Exception exception);

        [LoggerMessage(4004, LogLevel.Warning, "Instance '{InstanceId}' of '{ServiceName}' at {InstanceUri} answered {StatusCode}, its {ConsecutiveFailures}th server error in a row ({SettingKey}); it is avoided for a while.", EventName = "ConsulInstanceEjectedFor5xx")]
        public static partial void InstanceEjectedFor5xx(ILogger logger, string instanceId, string serviceName, Uri instanceUri, int statusCode, int consecutiveFailures, string settingKey);

        [LoggerMessage(4003, LogLevel.Warning, "Instance '{InstanceId}' of '{ServiceName}' registered scheme '{Scheme}' (its 'scheme' meta), which HttpClient cannot speak; it is never picked. Register it under another service name, or with scheme http or https.", EventName = "ConsulInstanceSchemeUnusable")]
        public static partial void UnusableScheme(ILogger logger, string instanceId, string serviceName, string scheme);
    }
}
