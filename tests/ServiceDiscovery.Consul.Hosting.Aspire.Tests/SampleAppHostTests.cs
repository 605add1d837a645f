// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using AppHost;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace ServiceDiscovery.Consul.Hosting.Aspire.Tests;

/// <summary>
/// samples/AppHost's resource model, without running the orchestrator: which resources it declares, which projects
/// they run, and that every app is pointed at the dev agent and waits for it. tests/ServiceDiscovery.AppHost.Tests
/// runs the same AppHost under the orchestrator.
/// </summary>
public sealed class SampleAppHostTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SampleAppHost_RunsTheDevAgentTwoCatalogsOrdersAndTheGateway_EachPointedAtTheAgent()
    {
        var builder = DistributedApplication.CreateBuilder();
        var consul = builder.AddSample().Resource;

        // Aspire adds a hidden "<name>-rebuilder" per project; the sample's own resources are the agent and the projects.
        var declared = builder.Resources.Where(r => r is ConsulDevAgentResource or ProjectResource).Select(r => r.Name);
        Assert.Equal(["consul", "catalog-1", "catalog-2", "orders", "gateway"], declared);
        var agentProject = Path.GetFullPath(SampleApplication.DevAgentProject, builder.AppHostDirectory);
        Assert.Equal(Path.GetDirectoryName(agentProject), consul.WorkingDirectory);
        Assert.Equal(SampleApplication.BuildConfiguration, (await ResourceModel.EnvironmentAsync(consul, Ct))["Configuration"]); // `dotnet run` finds the agent built
        var agentEndpoint = Assert.Single(consul.Annotations.OfType<EndpointAnnotation>());
        agentEndpoint.AllocatedEndpoint = new AllocatedEndpoint(agentEndpoint, "localhost", 8555); // what the orchestrator does

        var apps = builder.Resources.OfType<ProjectResource>().ToDictionary(r => r.Name);
        Assert.Equal(4, apps.Count);
        Assert.Equal("Catalog.Api.csproj", ProjectFile(apps["catalog-1"]));
        Assert.Equal("Catalog.Api.csproj", ProjectFile(apps["catalog-2"]));
        Assert.Equal("Orders.Api.csproj", ProjectFile(apps["orders"]));
        Assert.Equal("Gateway.csproj", ProjectFile(apps["gateway"]));

        var port = 49152;
        foreach (var app in apps.Values)
        {
            // No launch profile: one HTTP endpoint each, whose port Aspire picks (the profiles' fixed ports would collide).
            var endpoint = Assert.Single(app.Annotations.OfType<EndpointAnnotation>());
            Assert.Equal("http", endpoint.UriScheme);
            Assert.Null(endpoint.Port);
            Assert.Equal(app.Name == "gateway", endpoint.IsExternal);
            endpoint.TargetPort = port + 1000; // what the orchestrator does: the app listens there, behind Aspire's proxy
            endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", port++);

            Assert.Single(app.Annotations.OfType<HealthCheckAnnotation>()); // /health, so "healthy" means the app answers
            var wait = Assert.Single(app.Annotations.OfType<WaitAnnotation>());
            Assert.Same(consul, wait.Resource);
            var environment = await ResourceModel.EnvironmentAsync(app, Ct);
            Assert.Equal("http://localhost:8555", environment["CONSUL_HTTP_ADDR"]);
            Assert.Equal("http://localhost:8555", environment["ConnectionStrings__consul"]);
            Assert.Equal("Development", environment["ASPNETCORE_ENVIRONMENT"]);
            Assert.Equal($"http://localhost:{endpoint.TargetPort}", environment["ASPNETCORE_URLS"]); // each instance on its own port
            Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", environment.Keys); // the samples export to the dashboard
            Assert.DoesNotContain(environment.Keys, key => key.StartsWith("services__", StringComparison.Ordinal)); // they find each other through Consul
        }
    }

    [Fact]
    public async Task SampleAppHost_WithItsConnectSwitch_ServesCatalogAndOrdersOverConnect_AndTheGatewayAsAClientOnly()
    {
        var builder = DistributedApplication.CreateBuilder([$"--{SampleApplication.ConnectSetting}=true"]);
        builder.AddSample();
        var agentEndpoint = Assert.Single(builder.Resources.OfType<ConsulDevAgentResource>().Single().Annotations.OfType<EndpointAnnotation>());
        agentEndpoint.AllocatedEndpoint = new AllocatedEndpoint(agentEndpoint, "localhost", 8555);

        var port = 49152;
        foreach (var app in builder.Resources.OfType<ProjectResource>())
        {
            var endpoints = app.Annotations.OfType<EndpointAnnotation>().ToList();
            foreach (var endpoint in endpoints)
            {
                endpoint.TargetPort = port + 1000;
                endpoint.AllocatedEndpoint = new AllocatedEndpoint(endpoint, "localhost", port++);
            }

            var environment = await ResourceModel.EnvironmentAsync(app, Ct);
            Assert.Equal("true", environment["Consul__Connect__Enabled"]);
            if (app.Name == "gateway")
            {
                // A Connect client only: its own endpoint stays plain HTTP for the outside world.
                Assert.Equal("http", Assert.Single(endpoints).UriScheme);
                Assert.Equal("true", environment["Consul__Connect__ClientOnly"]);
            }
            else
            {
                // Connect mTLS on https; http stays for Consul's check and Aspire's health check, which use /health only.
                Assert.Equal(["http", "https"], endpoints.Select(e => e.UriScheme).Order(StringComparer.Ordinal));
                Assert.DoesNotContain("Consul__Connect__ClientOnly", environment.Keys);
                Assert.Contains("https://localhost:", environment["ASPNETCORE_URLS"], StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void SampleAppHost_ConnectSwitchNotABoolean_FailsNamingTheSetting()
    {
        var builder = DistributedApplication.CreateBuilder([$"--{SampleApplication.ConnectSetting}=yes"]);

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddSample());

        Assert.Contains("Sample:Connect is 'yes', which is not a boolean", error.Message, StringComparison.Ordinal);
    }

    private static string ProjectFile(ProjectResource project) =>
        Path.GetFileName(Assert.Single(project.Annotations.OfType<IProjectMetadata>()).ProjectPath);
}
