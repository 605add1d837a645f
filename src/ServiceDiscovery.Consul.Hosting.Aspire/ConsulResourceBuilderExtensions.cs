// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>Adds a real Consul (the <c>hashicorp/consul</c> container in dev mode) to an Aspire AppHost.</summary>
public static class ConsulResourceBuilderExtensions
{
    /// <summary>The image run by <see cref="AddConsul"/>.</summary>
    internal const string Image = "hashicorp/consul";

    /// <summary>The image tag run by <see cref="AddConsul"/>; change it with <c>WithImageTag</c>.</summary>
    internal const string ImageTag = "1.21";

    /// <summary>
    /// Runs Consul in dev mode (<c>agent -dev</c>: one in-memory server, UI on) from the <c>hashicorp/consul</c> image.
    /// Its HTTP endpoint targets port 8500 in the container; the dashboard links the Consul UI (<c>/ui</c>) and health
    /// follows <c>/v1/status/leader</c>. Needs a container runtime; <c>AddConsulDevAgent</c> is the process alternative.
    /// </summary>
    /// <param name="builder">The AppHost builder.</param>
    /// <param name="name">The resource name, also the connection string's name.</param>
    /// <param name="port">A fixed host port, or <see langword="null"/> for one Aspire allocates.</param>
    /// <returns>The resource builder.</returns>
    public static IResourceBuilder<ConsulResource> AddConsul(this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddResource(new ConsulResource(name))
            .WithImage(Image, ImageTag)
            .WithImageRegistry("docker.io")
            .WithArgs("agent", "-dev", "-client=0.0.0.0", "-ui")
            .WithHttpEndpoint(port: port, targetPort: ConsulResource.HttpPort, name: ConsulResource.HttpEndpointName)
            .WithUrlForEndpoint(ConsulResource.HttpEndpointName, url =>
            {
                url.Url = "/ui";
                url.DisplayText = "Consul UI";
            })
            .WithHttpHealthCheck("/v1/status/leader", endpointName: ConsulResource.HttpEndpointName);
    }

    /// <summary>
    /// Points <paramref name="builder"/> at the Consul container: <c>CONSUL_HTTP_ADDR</c> (so <c>AddConsulDiscovery()</c>
    /// needs no other setting) and the connection string <c>ConnectionStrings__{name}</c>; add <c>WaitFor(consul)</c> to
    /// start it only once Consul has a leader.
    /// </summary>
    /// <typeparam name="TDestination">The resource that talks to Consul.</typeparam>
    /// <param name="builder">That resource's builder.</param>
    /// <param name="consul">The Consul container.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(this IResourceBuilder<TDestination> builder, IResourceBuilder<ConsulResource> consul)
        where TDestination : IResourceWithEnvironment =>
        ConsulReference.Add(builder, consul, static resource => resource.HttpEndpoint);
}
