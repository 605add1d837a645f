// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

internal sealed partial class ConsulConfigurationKeyCheck
{
    private static partial class Log
    {
        [LoggerMessage(7000, LogLevel.Warning, "Configuration key {Key} is not a Consul setting and is ignored. Did you mean {Suggestion}?", EventName = "ConsulUnknownConfigurationKey")]
        public static partial void UnknownKey(ILogger logger, string key, string suggestion);

        [LoggerMessage(7001, LogLevel.Warning, "Configuration key {Key} is not a Consul setting and is ignored: its parent takes a single value.", EventName = "ConsulConfigurationKeyUnderValue")]
        public static partial void UnknownKeyUnderValue(ILogger logger, string key);
    }
}
