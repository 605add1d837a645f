// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// Serves the health endpoint at the front of the pipeline without the app mapping it, so Consul's check is not
/// subject to the app's authentication, redirects or routing. Off when <c>Consul:Check:MapEndpoint</c> is false
/// or the app called <c>MapConsulHealthChecks()</c>. The path is read once, when the pipeline is built.
/// </summary>
internal sealed class ConsulHealthStartupFilter(IOptions<ConsulOptions> options, ConsulHealthEndpointState state) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return app =>
        {
            var healthCheck = options.Value.Check;
            if (healthCheck.MapEndpoint && !state.MappedByApp)
            {
                app.UseHealthChecks(healthCheck.Path, ConsulHealthResponse.CreateOptions());
            }

            next(app);
        };
    }
}
