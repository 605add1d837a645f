// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;

namespace AppHost;

/// <summary>
/// The sample's resources: the Consul-compatible dev agent, two catalog instances, orders and the gateway. Each app
/// gets the agent's address through <c>WithReference(consul)</c> (<c>CONSUL_HTTP_ADDR</c>) and waits until it has a
/// leader; the apps find each other through Consul, not through Aspire's own service references.
/// </summary>
public static class SampleApplication
{
    /// <summary>The dev agent's project, relative to this AppHost's directory.</summary>
    public const string DevAgentProject = "../DevAgent/DevAgent.csproj";

    /// <summary>The configuration this AppHost was built in, e.g. <c>Release</c>.</summary>
    public static string BuildConfiguration { get; } =
        typeof(SampleApplication).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>Adds the sample's resources to <paramref name="builder"/>.</summary>
    /// <param name="builder">The AppHost builder.</param>
    /// <returns>The dev agent, for callers that add more.</returns>
    public static IResourceBuilder<ConsulDevAgentResource> AddSample(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // `dotnet run` of the agent in the AppHost's own configuration (MSBuild reads properties from the environment):
        // the AppHost's build already built the agent there (AppHost.csproj references it), so it starts without compiling.
        var consul = builder.AddConsulDevAgent("consul", DevAgentProject)
            .WithEnvironment("Configuration", BuildConfiguration);

        // Two instances of one Consul service ("catalog", from its appsettings.json), each on a port of its own.
        AddApp<Projects.Catalog_Api>(builder, "catalog-1", consul);
        AddApp<Projects.Catalog_Api>(builder, "catalog-2", consul);
        AddApp<Projects.Orders_Api>(builder, "orders", consul);
        AddApp<Projects.Gateway>(builder, "gateway", consul).WithExternalHttpEndpoints();
        return consul;
    }

    // Without a launch profile: the profiles' fixed ports would have both catalog instances ask for the same one.
    private static IResourceBuilder<ProjectResource> AddApp<TProject>(IDistributedApplicationBuilder builder, string name, IResourceBuilder<ConsulDevAgentResource> consul)
        where TProject : IProjectMetadata, new() =>
        builder.AddProject<TProject>(name, launchProfileName: null)
            .WithHttpEndpoint()
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithReference(consul)
            .WaitFor(consul);
}
