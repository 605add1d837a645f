// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Starts the <see cref="ConnectCertificateSource"/> with the host when <c>Consul:Connect:Enabled</c> is true (read
/// once: turning Connect on or off needs a restart, since it changes what the app's HTTPS endpoints accept).
/// </summary>
internal sealed class ConnectLifetime(IOptionsMonitor<ConsulOptions> options, IServiceProvider services) : IHostedService
{
    private ConnectCertificateSource? _source;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.Connect.Enabled)
        {
            return;
        }

        var source = services.GetRequiredService<ConnectCertificateSource>();
        await source.StartAsync(cancellationToken).ConfigureAwait(false);
        _source = source;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_source is { } source)
        {
            await source.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
