// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>The name of one election the app registered (<c>AddConsulLeaderElection(name)</c>), for <see cref="ElectionNameCheck"/>.</summary>
internal sealed record ElectionName(string Name);

/// <summary>
/// Warns at start-up about every section under <c>{Consul}:Coordination:Elections</c> that names no election the app
/// registered (a misspelled name binds to nothing, and the election silently runs on its defaults), naming the closest
/// registered election.
/// </summary>
internal sealed partial class ElectionNameCheck(ConsulOptionsSection source, IEnumerable<ElectionName> elections, ILogger<ElectionNameCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (source.Section is not { } section)
        {
            return Task.CompletedTask;
        }

        var names = elections.Select(static e => e.Name).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var configured in section.GetSection("Coordination:Elections").GetChildren())
        {
            if (!names.Contains(configured.Key, StringComparer.OrdinalIgnoreCase))
            {
                var nearest = ConsulConfigurationKeys.Nearest(configured.Key, names);
                Log.UnknownElection(logger, configured.Path, nearest ?? string.Empty, string.Join(", ", names));
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
