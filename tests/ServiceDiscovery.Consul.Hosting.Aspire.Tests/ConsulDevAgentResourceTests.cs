// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace ServiceDiscovery.Consul.Hosting.Aspire.Tests;

/// <summary>
/// The resource model of <c>AddConsulDevAgent</c> and <c>WithReference(consul)</c>, without running the orchestrator:
/// the endpoint Aspire would allocate is set by hand, then the command line, health check, connection string and a
/// referencing resource's environment are evaluated as the orchestrator would at run time.
/// </summary>
public sealed class ConsulDevAgentResourceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DevAgent_RunsTheProjectOnItsEndpointPort_AndReferenceGivesConsulHttpAddr()
    {
        var builder = DistributedApplication.CreateBuilder();
        var consul = builder.AddConsulDevAgent("consul", "../DevAgent/DevAgent.csproj", port: 8555);
        var app = builder.AddExecutable("catalog", "dotnet", ".").WithReference(consul);

        var agent = consul.Resource;
        Assert.Equal("dotnet", agent.Command);
        var project = Path.GetFullPath("../DevAgent/DevAgent.csproj", builder.AppHostDirectory);
        Assert.Equal(Path.GetDirectoryName(project), agent.WorkingDirectory);

        var endpoint = Assert.Single(agent.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(ConsulDevAgentResource.HttpEndpointName, endpoint.Name);
        Assert.Equal("http", endpoint.UriScheme);
        Assert.Equal(8555, endpoint.Port);
        Assert.False(endpoint.IsProxied);
        Assert.Single(agent.Annotations.OfType<HealthCheckAnnotation>());
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", 8555); // what the orchestrator does

        var args = await ResourceModel.ArgumentsAsync(agent, Ct);
        Assert.Equal(["run", "--project", project, "--", "--port", "8555"], args);

        Assert.Equal("http://localhost:8555", await agent.ConnectionStringExpression.GetValueAsync(Ct));

        var environment = await ResourceModel.EnvironmentAsync(app.Resource, Ct);
        Assert.Equal("http://localhost:8555", environment["CONSUL_HTTP_ADDR"]);
        Assert.Equal("http://localhost:8555", environment["ConnectionStrings__consul"]);
    }

    [Fact]
    public void DevAgent_WithoutAPort_LeavesItToAspire()
    {
        var builder = DistributedApplication.CreateBuilder();
        var consul = builder.AddConsulDevAgent("consul", "/opt/devagent/DevAgent.csproj");

        var endpoint = Assert.Single(consul.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.Null(endpoint.Port);
        Assert.Equal("/opt/devagent", consul.Resource.WorkingDirectory);
    }

    [Fact]
    public async Task Consul_RunsTheImageInDevMode_LinksItsUi_AndReferenceGivesConsulHttpAddr()
    {
        var builder = DistributedApplication.CreateBuilder();
        var consul = builder.AddConsul("consul");
        var app = builder.AddExecutable("catalog", "dotnet", ".").WithReference(consul);

        var container = consul.Resource;
        var image = Assert.Single(container.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal("hashicorp/consul", image.Image);
        Assert.Equal("1.21", image.Tag);
        Assert.Equal("docker.io", image.Registry);
        Assert.Equal(["agent", "-dev", "-client=0.0.0.0", "-ui"], await ResourceModel.ArgumentsAsync(container, Ct));

        var endpoint = Assert.Single(container.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(ConsulResource.HttpEndpointName, endpoint.Name);
        Assert.Equal(8500, endpoint.TargetPort);
        Assert.Null(endpoint.Port);
        Assert.Single(container.Annotations.OfType<HealthCheckAnnotation>());
        Assert.Single(container.Annotations.OfType<ResourceUrlsCallbackAnnotation>());
        endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", 49152); // what the orchestrator does

        Assert.Equal("http://localhost:49152", await container.ConnectionStringExpression.GetValueAsync(Ct));
        var environment = await ResourceModel.EnvironmentAsync(app.Resource, Ct);
        Assert.Equal("http://localhost:49152", environment["CONSUL_HTTP_ADDR"]);
        Assert.Equal("http://localhost:49152", environment["ConnectionStrings__consul"]);
    }
}
