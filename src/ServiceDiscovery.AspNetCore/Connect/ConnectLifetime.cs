// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Starts the <see cref="ConnectCertificateSource"/> with the host when <c>Consul:Connect:Enabled</c> is true (read
/// once: turning Connect on or off needs a restart, since it changes what the app's HTTPS endpoints accept).
/// </summary>
internal sealed class ConnectLifetime(IOptionsMonitor<ConsulOptions> options, ConnectCertificateSource source) : IHostedService
{
    private bool _started;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.Connect.Enabled)
        {
            return;
        }

        await source.StartAsync(cancellationToken).ConfigureAwait(false);
        _started = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _started ? source.StopAsync(cancellationToken) : Task.CompletedTask;
}
