// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Hands the host's logging to every Consul KV configuration source of the app's configuration when the host starts, so
/// what the sources logged while configuration was built (and everything after) reaches the app's log sinks. Registered
/// by every <c>AddConsul*</c> service entry point.
/// </summary>
internal sealed class KeyValueLoggingAttacher(IServiceProvider services, ILoggerFactory loggerFactory) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // An app without configuration (a bare service collection) has no KV source to attach.
        if (services.GetService(typeof(IConfiguration)) is IConfigurationRoot root)
        {
            foreach (var provider in root.Providers.OfType<ConsulKeyValueConfigurationProvider>())
            {
                provider.Logging?.Attach(loggerFactory);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
