// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;

namespace AppHost;

/// <summary>
/// The sample's resources: the Consul-compatible dev agent, two catalog instances, orders and the gateway. Each app
/// gets the agent's address through <c>WithReference(consul)</c> (<c>CONSUL_HTTP_ADDR</c>) and waits until it has a
/// leader; the apps find each other through Consul, not through Aspire's own service references. With the AppHost
/// setting <see cref="ConnectSetting"/> true, the apps take part in Consul Connect (docs/connect.md).
/// </summary>
public static class SampleApplication
{
    /// <summary>The dev agent's project, relative to this AppHost's directory.</summary>
    public const string DevAgentProject = "../DevAgent/DevAgent.csproj";

    /// <summary>
    /// The AppHost's setting (<c>--Sample:Connect=true</c>, <c>Sample__Connect=true</c>, or the launch profile
    /// <c>http-connect</c>) that runs the sample Connect-native: catalog and orders serve Connect mTLS on an <c>https</c>
    /// endpoint and keep their <c>http</c> one for <c>/health</c> only; the gateway calls catalog over mTLS as a client
    /// only, its own endpoint plain HTTP. Off by default.
    /// </summary>
    public const string ConnectSetting = "Sample:Connect";

    /// <summary>The configuration this AppHost was built in, e.g. <c>Release</c>.</summary>
    public static string BuildConfiguration { get; } =
        typeof(SampleApplication).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Adds the sample's resources to <paramref name="builder"/>.</summary>
    /// <param name="builder">The AppHost builder.</param>
    /// <returns>The dev agent, for callers that add more.</returns>
    public static IResourceBuilder<ConsulDevAgentResource> AddSample(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var connect = ParseConnectSetting(builder.Configuration[ConnectSetting]);

        // `dotnet run` of the agent in the AppHost's own configuration (MSBuild reads properties from the environment):
        // the AppHost's build already built the agent there (AppHost.csproj references it), so it starts without compiling.
        var consul = builder.AddConsulDevAgent("consul", DevAgentProject)
            .WithEnvironment("Configuration", BuildConfiguration);

        // Two instances of one Consul service ("catalog", from its appsettings.json), each on a port of its own.
        AddApp<Projects.Catalog_Api>(builder, "catalog-1", consul, connect ? ConnectRole.Native : ConnectRole.None);
        AddApp<Projects.Catalog_Api>(builder, "catalog-2", consul, connect ? ConnectRole.Native : ConnectRole.None);
        AddApp<Projects.Orders_Api>(builder, "orders", consul, connect ? ConnectRole.Native : ConnectRole.None);
        AddApp<Projects.Gateway>(builder, "gateway", consul, connect ? ConnectRole.ClientOnly : ConnectRole.None).WithExternalHttpEndpoints();
        return consul;
    }

    private static bool ParseConnectSetting(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        return bool.TryParse(value, out var connect)
            ? connect
            : throw new InvalidOperationException($"The AppHost setting {ConnectSetting} is '{value}', which is not a boolean. Set it to true (run the sample Connect-native) or false (plain HTTP, the default).");
    }

    // Without a launch profile: the profiles' fixed ports would have both catalog instances ask for the same one.
    private static IResourceBuilder<ProjectResource> AddApp<TProject>(IDistributedApplicationBuilder builder, string name, IResourceBuilder<ConsulDevAgentResource> consul, ConnectRole connect)
        where TProject : IProjectMetadata, new()
    {
        var app = builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health", endpointName: "http")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithReference(consul)
            .WaitFor(consul);
        if (connect == ConnectRole.Native)
        {
            // Connect mTLS on https (Consul's certificate, chosen per handshake; no developer certificate involved).
            // Consul's check and Aspire's health check stay on http, where a Connect-native app serves /health only.
            app.WithHttpsEndpoint().WithEnvironment("Consul__Connect__Enabled", "true");
        }
        else if (connect == ConnectRole.ClientOnly)
        {
            app.WithEnvironment("Consul__Connect__Enabled", "true").WithEnvironment("Consul__Connect__ClientOnly", "true");
        }

        return app;
    }

    private enum ConnectRole
    {
        None,
        Native,
        ClientOnly,
    }
}
