// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace CatalogGrpc.Api;

/// <summary>The gRPC catalog service: built here so tests and the demo start the very app <c>dotnet run</c> starts.</summary>
public static class CatalogGrpcApp
{
    /// <summary>Builds the app; <paramref name="configure"/> may add configuration (tests point it at their Consul).</summary>
    /// <param name="args">Command-line arguments (<c>--urls</c>, <c>--Consul:Address</c>, ...).</param>
    /// <param name="configure">Runs on the builder before the app's services are added.</param>
    /// <returns>The app, not started.</returns>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(CatalogGrpcApp).Assembly.GetName().Name });
        configure?.Invoke(builder);

        // Registers this app in Consul as "catalog-grpc" once Kestrel listens. appsettings.json sets Consul:Check:Kind
        // to Grpc: Consul calls grpc.health.v1.Health/Check on the registered address, and the scheme meta says h2c.
        builder.Services.AddConsulDiscovery();
        builder.Services.AddGrpc();

        // The health service Consul's gRPC check calls: it reports these ASP.NET Core health checks
        // (Healthy and Degraded: SERVING; Unhealthy: NOT_SERVING).
        builder.Services.AddSingleton<ServingState>();
        builder.Services.AddConsulGrpcHealthChecks().AddCheck<ServingStateCheck>("catalog-grpc-self");

        var app = builder.Build();
        app.MapGrpcService<CatalogService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
