// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A real Consul agent in dev mode, run by the AppHost from the <c>hashicorp/consul</c> container image (needs a
/// container runtime). Its connection string is the agent's HTTP address; its UI is at <c>/ui</c> on the same endpoint.
/// </summary>
public sealed class ConsulResource : ContainerResource, IResourceWithConnectionString
{
    /// <summary>The name of the agent's HTTP endpoint (API and UI).</summary>
    internal const string HttpEndpointName = "http";

    /// <summary>The port Consul's HTTP API and UI listen on inside the container.</summary>
    internal const int HttpPort = 8500;

    private EndpointReference? _httpEndpoint;

    /// <summary>Initializes a new instance of the <see cref="ConsulResource"/> class.</summary>
    /// <param name="name">The resource name.</param>
    public ConsulResource(string name)
        : base(name)
    {
    }

    /// <summary>Gets the agent's HTTP endpoint.</summary>
    public EndpointReference HttpEndpoint => _httpEndpoint ??= new(this, HttpEndpointName);

    /// <summary>Gets the connection string: the agent's HTTP address, e.g. <c>http://localhost:8500</c>.</summary>
    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{HttpEndpoint.Property(EndpointProperty.Url)}");
}
