// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// Warns at start-up about every key under the bound section that binds to nothing (<c>Consul:Servce:Name</c> is
/// otherwise silently ignored and the app registers under its default name), naming the closest valid key.
/// </summary>
internal sealed partial class ConsulConfigurationKeyCheck(ConsulOptionsSection source, ILogger<ConsulConfigurationKeyCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (source.Section is IConfigurationSection section)
        {
            foreach (var (key, suggestion) in ConsulConfigurationKeys.FindUnknown(section))
            {
                if (suggestion is null)
                {
                    LogUnknownKeyWithoutSuggestion(key);
                }
                else
                {
                    LogUnknownKey(key, suggestion);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(600, LogLevel.Warning, "Configuration key {Key} is not a Consul setting and is ignored. Did you mean {Suggestion}?", EventName = "ConsulUnknownConfigurationKey")]
    private partial void LogUnknownKey(string key, string suggestion);

    [LoggerMessage(601, LogLevel.Warning, "Configuration key {Key} is not a Consul setting and is ignored: its parent takes a single value.", EventName = "ConsulConfigurationKeyUnderValue")]
    private partial void LogUnknownKeyWithoutSuggestion(string key);
}
