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
                    Log.UnknownKeyUnderValue(logger, key);
                }
                else
                {
                    Log.UnknownKey(logger, key, suggestion);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
