// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Health;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the health endpoint Consul's HTTP check calls.</summary>
public static class ConsulHealthEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the health endpoint at <c>Consul:Check:Path</c> (<c>/health</c> by default), running the app's
    /// ASP.NET Core health checks: Healthy answers 200 (Consul: passing), Degraded 429 (warning), Unhealthy 503
    /// (critical), with the status word as the only body. Mapping it turns off the endpoint
    /// <c>AddConsulDiscovery()</c> serves by itself, so the app's routing, host filtering and authorization apply.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <returns>A builder to add conventions to the endpoint (<c>RequireHost</c>, <c>RequireAuthorization</c>, ...).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddConsulDiscovery()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapConsulHealthChecks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var state = endpoints.ServiceProvider.GetService<ConsulHealthEndpointState>()
            ?? throw new InvalidOperationException(
                "MapConsulHealthChecks() needs the services of AddConsulDiscovery(). Call builder.Services.AddConsulDiscovery() before building the app.");
        var path = endpoints.ServiceProvider.GetRequiredService<IOptions<ConsulOptions>>().Value.Check.Path;
        state.MarkMappedByApp();
        return endpoints.MapHealthChecks(path, ConsulHealthResponse.CreateOptions()).WithDisplayName("Consul health check");
    }
}
