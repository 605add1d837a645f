// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDiscovery.AspNetCore.Tests.Health;

public sealed class ConsulHealthEndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(HealthStatus.Healthy, HttpStatusCode.OK)]
    [InlineData(HealthStatus.Degraded, HttpStatusCode.TooManyRequests)]
    [InlineData(HealthStatus.Unhealthy, HttpStatusCode.ServiceUnavailable)]
    public async Task GetHealth_AppHealth_StatusConsulUnderstandsAndStatusWordOnly(HealthStatus status, HttpStatusCode expected)
    {
        await using var app = await StartAsync(status);

        using var response = await app.GetTestClient().GetAsync("/health", Ct);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(status.ToString(), await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetHealth_AppRejectsEveryRequest_StillServedAheadOfTheAppPipeline()
    {
        await using var app = await StartAsync(HealthStatus.Healthy, configureApp: a => a.Use((HttpContext context, RequestDelegate _) =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }));

        using var health = await app.GetTestClient().GetAsync("/health", Ct);
        using var other = await app.GetTestClient().GetAsync("/other", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task GetHealth_CustomPath_ServedThereOnly()
    {
        await using var app = await StartAsync(HealthStatus.Healthy, settings: new() { ["Consul:Check:Path"] = "/ops/ready" });

        using var custom = await app.GetTestClient().GetAsync("/ops/ready", Ct);
        using var original = await app.GetTestClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, custom.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, original.StatusCode);
    }

    [Fact]
    public async Task GetHealth_MapEndpointOff_NotServed()
    {
        await using var app = await StartAsync(HealthStatus.Healthy, settings: new() { ["Consul:Check:MapEndpoint"] = "false" });

        using var response = await app.GetTestClient().GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task MapConsulHealthChecks_Mapped_EndpointConventionsApplyAndAutomaticEndpointIsOff()
    {
        await using var app = await StartAsync(HealthStatus.Degraded, configureApp: a => ((WebApplication)a).MapConsulHealthChecks().RequireHost("consul.internal"));
        var client = app.GetTestClient();

        using var wrongHost = await client.GetAsync("/health", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { Host = "consul.internal" } };
        using var rightHost = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, wrongHost.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, rightHost.StatusCode);
        Assert.Equal("Degraded", await rightHost.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task MapConsulHealthChecks_WithoutAddConsulDiscovery_ThrowsSayingWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapConsulHealthChecks());

        Assert.Contains("AddConsulDiscovery()", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<WebApplication> StartAsync(HealthStatus status, Dictionary<string, string?>? settings = null, Action<IApplicationBuilder>? configureApp = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = "http://127.0.0.1:1",
            ["Consul:Registration:Enabled"] = "false",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddConsulDiscovery();
        builder.Services.AddHealthChecks().AddCheck("app", () => new HealthCheckResult(status, "secret description", new InvalidOperationException("secret exception")));
        var app = builder.Build();
        configureApp?.Invoke(app);
        await app.StartAsync(Ct);
        return app;
    }
}
