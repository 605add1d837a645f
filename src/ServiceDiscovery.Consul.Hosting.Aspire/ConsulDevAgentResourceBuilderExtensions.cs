// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Adds the Consul-compatible dev agent to an Aspire AppHost and points projects at it.</summary>
public static class ConsulDevAgentResourceBuilderExtensions
{
    /// <summary>The variable Consul's own tools and <c>AddConsulDiscovery()</c> read the agent's address from.</summary>
    internal const string ConsulAddressVariable = "CONSUL_HTTP_ADDR";

    /// <summary>
    /// Runs the Consul-compatible dev agent as a process: <c>dotnet run --project <paramref name="devAgentProject"/> --
    /// --port N</c>, with N the resource's HTTP endpoint port (<paramref name="port"/>, or one Aspire allocates).
    /// Its health follows <c>/v1/status/leader</c>.
    /// </summary>
    /// <param name="builder">The AppHost builder.</param>
    /// <param name="name">The resource name, also the connection string's name.</param>
    /// <param name="devAgentProject">The DevAgent project file (<c>samples/DevAgent/DevAgent.csproj</c>), relative to the AppHost directory or absolute.</param>
    /// <param name="port">A fixed port for the agent, or <see langword="null"/> for a free one.</param>
    /// <returns>The resource builder.</returns>
    public static IResourceBuilder<ConsulDevAgentResource> AddConsulDevAgent(this IDistributedApplicationBuilder builder, [ResourceName] string name, string devAgentProject, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(devAgentProject);

        var project = Path.GetFullPath(devAgentProject, builder.AppHostDirectory);
        var resource = new ConsulDevAgentResource(name, Path.GetDirectoryName(project)!);
        return builder.AddResource(resource)
            .WithHttpEndpoint(port: port, name: ConsulDevAgentResource.HttpEndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add("run");
                context.Args.Add("--project");
                context.Args.Add(project);
                context.Args.Add("--");
                context.Args.Add("--port");
                context.Args.Add(resource.HttpEndpoint.Property(EndpointProperty.TargetPort));
            })
            .WithHttpHealthCheck("/v1/status/leader", endpointName: ConsulDevAgentResource.HttpEndpointName);
    }

    /// <summary>
    /// Points <paramref name="builder"/> at the agent: <c>CONSUL_HTTP_ADDR</c> (so <c>AddConsulDiscovery()</c> needs no
    /// other setting) and the connection string <c>ConnectionStrings__{name}</c>; the resource waits for nothing
    /// (add <c>WaitFor(consul)</c> for that).
    /// </summary>
    /// <typeparam name="TDestination">The resource that talks to Consul.</typeparam>
    /// <param name="builder">That resource's builder.</param>
    /// <param name="consul">The dev agent.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(this IResourceBuilder<TDestination> builder, IResourceBuilder<ConsulDevAgentResource> consul)
        where TDestination : IResourceWithEnvironment =>
        ConsulReference.Add(builder, consul, static resource => resource.HttpEndpoint);
}
