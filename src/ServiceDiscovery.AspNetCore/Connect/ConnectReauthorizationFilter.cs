// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// With Connect serving mTLS, puts <see cref="ConnectRequestReauthorizer"/> at the front of the app's pipeline, so an
/// open connection whose caller Consul no longer allows is refused before any of the app's middleware runs.
/// </summary>
internal sealed class ConnectReauthorizationFilter(IOptions<ConsulOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return app =>
        {
            if (options.Value.Connect.ServesMutualTls)
            {
                // Resolved only when Connect serves: the certificate source needs a service name.
                var reauthorizer = app.ApplicationServices.GetRequiredService<ConnectRequestReauthorizer>();
                app.Use(reauthorizer.InvokeAsync);
            }

            next(app);
        };
    }
}
