// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The Consul-compatible dev agent (<c>samples/DevAgent</c> of ServiceDiscovery.AspNetCore, a host of
/// <c>ConsulTestAgent</c>) run as a process by the AppHost, for machines without a container runtime or a Consul binary.
/// Its connection string is the agent's HTTP address.
/// </summary>
public sealed class ConsulDevAgentResource : ExecutableResource, IResourceWithConnectionString
{
    /// <summary>The name of the agent's HTTP endpoint.</summary>
    internal const string HttpEndpointName = "http";

    private EndpointReference? _httpEndpoint;

    /// <summary>Initializes a new instance of the <see cref="ConsulDevAgentResource"/> class.</summary>
    /// <param name="name">The resource name.</param>
    /// <param name="workingDirectory">The directory <c>dotnet</c> runs in.</param>
    public ConsulDevAgentResource(string name, string workingDirectory)
        : base(name, "dotnet", workingDirectory)
    {
    }

    /// <summary>Gets the agent's HTTP endpoint.</summary>
    public EndpointReference HttpEndpoint => _httpEndpoint ??= new(this, HttpEndpointName);

    /// <summary>Gets the connection string: the agent's HTTP address, e.g. <c>http://localhost:8500</c>.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{HttpEndpoint.Property(EndpointProperty.Url)}");
}
