// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Hosting;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// The agent's embedded host must not react to Ctrl+C or SIGTERM (the default console lifetime would stop it
/// behind its owner's back): the owner of the <see cref="ConsulTestAgent"/> decides when it stops.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
