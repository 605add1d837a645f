// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using Catalog.Api;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

/// <summary>
/// <c>samples/Catalog.Api</c> under <see cref="WebApplicationFactory{TEntryPoint}"/>: its own appsettings.json and
/// <c>AddConsulDiscovery()</c>, against a <see cref="ConsulTestAgent"/>. TestServer binds no address, so the test gives
/// one explicitly and uses a TTL check (Consul cannot call an in-memory server), as an app behind NAT would.
/// </summary>
public sealed class CatalogSampleTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ConsulTestAgent _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _agent = await ConsulTestAgent.StartAsync(cancellationToken: Ct);

    public async ValueTask DisposeAsync() => await _agent.DisposeAsync();

    [Fact]
    public async Task CatalogApi_UnderWebApplicationFactory_RegistersAsCatalogAndReportsItsHealth()
    {
        await using var factory = new WebApplicationFactory<CatalogApiEntryPoint>().WithWebHostBuilder(builder => builder.ConfigureAppConfiguration((_, configuration) =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Consul:Address"] = _agent.Address.ToString(),
                ["Consul:Service:Address"] = "10.20.30.40",
                ["Consul:Service:Port"] = "8080",
                ["Consul:HealthCheck:Kind"] = "Ttl",
                ["Consul:HealthCheck:Ttl"] = "00:00:01.500",
                ["Consul:Registration:DrainDelay"] = "00:00:00",
            })));
        using var client = factory.CreateClient();

        await _agent.WaitUntilAsync(a => a.Checks.Any(c => c.ServiceId == "catalog-10.20.30.40-8080" && c.Status == "passing"), Deadline, Ct);
        var instance = await client.GetFromJsonAsync<InstanceDto>("/instance", Ct);
        Assert.Equal(new InstanceDto("catalog-10.20.30.40-8080", "catalog", 8080, true), instance);
        var service = Assert.Single(_agent.Services);
        Assert.Equal(["sample", "v1"], service.Tags);

        using var degrade = await client.PutAsync("/health-state/degraded", null, Ct);
        Assert.Equal(HttpStatusCode.OK, degrade.StatusCode);
        await _agent.WaitUntilAsync(a => a.Checks.Any(c => c.Status == "warning"), Deadline, Ct);
        using var health = await client.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, health.StatusCode);

        await factory.DisposeAsync();
        Assert.Empty(_agent.Services);
    }

    private sealed record InstanceDto(string Id, string Name, int Port, bool Registered);
}
