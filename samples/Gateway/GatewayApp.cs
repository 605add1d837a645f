// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration.Json;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway;

/// <summary>
/// The gateway's wiring, shared by <c>Program.cs</c> and the integration tests: YARP routes from
/// <c>gateway.json</c>, whose cluster destination <c>http://catalog</c> is resolved through Microsoft.Extensions.ServiceDiscovery,
/// with Consul as its provider. Consul's blocking queries push every change (an instance added, stopped or failing its
/// check) to YARP, which swaps the cluster's destinations without a restart. Connect-native instances are called over
/// Connect mTLS when <c>Consul:Connect:Enabled</c> is true.
/// </summary>
public static class GatewayApp
{
    /// <summary>The file holding the <c>ReverseProxy</c> section (routes and clusters).</summary>
    public const string RoutesFile = "gateway.json";

    /// <summary>Adds YARP with Consul-resolved destinations to <paramref name="builder"/>.</summary>
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // First in line, so appsettings.json, environment variables and the command line can still override any key.
        var routes = new JsonConfigurationSource { Path = Path.Combine(AppContext.BaseDirectory, RoutesFile), Optional = false };
        routes.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, routes);

        builder.Services.AddServiceDiscovery();
        builder.Services.AddConsulServiceEndpointProvider(); // Consul answers before the configuration and pass-through providers

        // Connect-native destinations over mTLS (docs/connect.md), when Consul:Connect:Enabled is true: the gateway's
        // own leaf ("gateway", client only: its listener stays plain HTTP for the outside world), and YARP's forwarder
        // handler wrapped so that such destinations go through Connect. Before AddReverseProxy(), which keeps it.
        builder.Services.AddConsulConnect();
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ConsulConnectForwarderHttpClientFactory>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    /// <summary>Maps the proxy's routes.</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapReverseProxy();
        return app;
    }
}
