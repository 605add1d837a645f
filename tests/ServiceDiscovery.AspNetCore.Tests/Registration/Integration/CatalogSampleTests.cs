// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using Catalog.Api;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

/// <summary>
/// <c>samples/Catalog.Api</c> under <see cref="WebApplicationFactory{TEntryPoint}"/>: its own appsettings.json and
/// <c>AddConsulDiscovery()</c>, against a <see cref="ConsulTarget"/> (the test agent, or a real Consul). TestServer binds no address, so the test gives
/// one explicitly and uses a TTL check (Consul cannot call an in-memory server), as an app behind NAT would.
/// </summary>
public sealed class CatalogSampleTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private ConsulTarget _consul = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _consul = await ConsulTarget.StartAsync();

    public async ValueTask DisposeAsync() => await _consul.DisposeAsync();

    [Fact]
    public async Task CatalogApi_UnderWebApplicationFactory_RegistersAsCatalogAndReportsItsHealth()
    {
        // On a shared real Consul, a unique address keeps the id apart from other runs' (the name stays the sample's).
        var address = _consul.IsRealConsul ? $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}" : "10.20.30.40";
        var serviceId = $"catalog-{address}-8080";
        await using var factory = new WebApplicationFactory<CatalogApiEntryPoint>().WithWebHostBuilder(builder => builder.ConfigureAppConfiguration((_, configuration) =>
            configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Consul:Address"] = _consul.Address.ToString(),
                ["Consul:Token"] = _consul.Token,
                ["Consul:Service:Address"] = address,
                ["Consul:Service:Port"] = "8080",
                ["Consul:Check:Kind"] = "Ttl",
                ["Consul:Check:Ttl"] = "00:00:01.500",
                ["Consul:Registration:DrainDelay"] = "00:00:00",
            })));
        using var client = factory.CreateClient();

        await _consul.WaitUntilAsync(s => s.CheckStatus(serviceId) == "passing", Deadline, "the sample's TTL check passes");
        var instance = await client.GetFromJsonAsync<InstanceDto>("/instance", Ct);
        Assert.Equal(new InstanceDto(serviceId, "catalog", 8080, true), instance);
        var service = Assert.Single((await _consul.GetStateAsync(Ct)).Services, s => s.Id == serviceId);
        Assert.Equal(["sample", "v1"], service.Tags);

        using var degrade = await client.PutAsync("/health-state/degraded", null, Ct);
        Assert.Equal(HttpStatusCode.OK, degrade.StatusCode);
        await _consul.WaitUntilAsync(s => s.CheckStatus(serviceId) == "warning", Deadline, "Degraded shows as warning");
        using var health = await client.GetAsync("/health", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, health.StatusCode);

        await factory.DisposeAsync();
        Assert.False((await _consul.GetStateAsync(Ct)).Has(serviceId));
    }

    private sealed record InstanceDto(string Id, string Name, int Port, bool Registered);
}
