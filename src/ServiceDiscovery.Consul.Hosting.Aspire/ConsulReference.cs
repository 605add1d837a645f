// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

/// <summary>
/// What <c>WithReference(consul)</c> gives a resource, for a Consul container and the dev agent alike: the connection
/// string <c>ConnectionStrings__{name}</c> and <c>CONSUL_HTTP_ADDR</c>, both the agent's HTTP endpoint.
/// </summary>
internal static class ConsulReference
{
    public static IResourceBuilder<TDestination> Add<TDestination, TConsul>(IResourceBuilder<TDestination> builder, IResourceBuilder<TConsul> consul, Func<TConsul, EndpointReference> httpEndpoint)
        where TDestination : IResourceWithEnvironment
        where TConsul : class, IResourceWithConnectionString
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(consul);
        return builder
            .WithReference(consul, connectionName: null, optional: false)
            .WithEnvironment(ConsulDevAgentResourceBuilderExtensions.ConsulAddressVariable, httpEndpoint(consul.Resource));
    }
}
