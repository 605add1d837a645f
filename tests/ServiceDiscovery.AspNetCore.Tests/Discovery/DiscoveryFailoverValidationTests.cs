// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Failover settings checked at start-up: by the validator without Consul, then against Consul's datacenter list.</summary>
public sealed class DiscoveryFailoverValidationTests
{
    private static string? Validate(Action<ConsulOptions> configure)
    {
        var options = new ConsulOptions();
        configure(options);
        var result = new ConsulDiscoveryFailoverOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Validate_NoFailover_Succeeds() => Assert.Null(Validate(_ => { }));

    [Fact]
    public void Validate_ListNamingTheConfiguredDatacenter_IsRefusedNamingBothKeys()
        => Assert.Equal(
            "Consul:Discovery:Failover:Datacenters:1 'dc1' is the datacenter the name is discovered in (Consul:Datacenter); a failover list names only other datacenters. Remove it.",
            Validate(o =>
            {
                o.Datacenter = "dc1";
                o.Discovery.Failover.Datacenters.Add("dc2");
                o.Discovery.Failover.Datacenters.Add("dc1");
            }));

    [Fact]
    public void Validate_ServiceListNamingItsOwnDatacenter_IsRefused()
        => Assert.StartsWith(
            "Consul:Discovery:Services:payments:Failover:Datacenters:0 'dc5' is the datacenter the name is discovered in (Consul:Discovery:Services:payments:Datacenter)",
            Validate(o =>
            {
                o.Discovery.Services["payments"] = new ConsulServiceQueryOptions { Datacenter = "dc5" };
                o.Discovery.Services["payments"].Failover.Datacenters.Add("dc5");
            }));

    [Fact]
    public void Validate_EmptyRepeatedAndNegative_NameTheKeys()
    {
        var message = Validate(o =>
        {
            o.Discovery.Failover.Datacenters.Add(" ");
            o.Discovery.Failover.Datacenters.Add("dc2");
            o.Discovery.Failover.Datacenters.Add("dc2");
            o.Discovery.Failover.NearestN = -1;
        });
        Assert.NotNull(message);
        Assert.Contains("Consul:Discovery:Failover:NearestN must be 0 or more", message, StringComparison.Ordinal);
        Assert.Contains("Consul:Discovery:Failover:Datacenters:0 is empty", message, StringComparison.Ordinal);
        Assert.Contains("Consul:Discovery:Failover:Datacenters:2 'dc2' is listed twice", message, StringComparison.Ordinal);
    }

    private static async Task<FakeLogger<DiscoveryFailoverStartupCheck>> StartCheckAsync(FakeConsulCatalogApi catalog, Action<ConsulOptions> configure)
    {
        var options = new ConsulOptions();
        configure(options);
        var logger = new FakeLogger<DiscoveryFailoverStartupCheck>();
        await new DiscoveryFailoverStartupCheck(catalog, Microsoft.Extensions.Options.Options.Create(options), logger).StartAsync(TestContext.Current.CancellationToken);
        return logger;
    }

    [Fact]
    public async Task StartupCheck_UnknownDatacenter_FailsTheStartNamingTheKeyAndTheKnownOnes()
    {
        var catalog = new FakeConsulCatalogApi { Datacenters = static () => ["dc1", "dc2"] };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartCheckAsync(catalog, o => o.Discovery.Failover.Datacenters.Add("dc-west")));
        Assert.Contains("Consul:Discovery:Failover:Datacenters:0 'dc-west' is not a datacenter Consul at http://127.0.0.1:8500/ knows (it knows: dc1, dc2). Fix the name or remove it.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_TheAgentsOwnDatacenterInAList_FailsTheStart()
    {
        var catalog = new FakeConsulCatalogApi { Datacenters = static () => ["dc1", "dc2"] };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartCheckAsync(catalog, o =>
        {
            o.Discovery.Services["orders"] = new ConsulServiceQueryOptions();
            o.Discovery.Services["orders"].Failover.Datacenters.Add("dc1");
        }));
        Assert.Contains("Consul:Discovery:Services:orders:Failover:Datacenters:0 'dc1' is the datacenter the name is discovered in (the agent's own)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartupCheck_KnownDatacenters_Pass()
    {
        var catalog = new FakeConsulCatalogApi { Datacenters = static () => ["dc1", "dc2", "dc3"] };
        var logger = await StartCheckAsync(catalog, o =>
        {
            o.Discovery.Failover.Datacenters.Add("dc3");
            o.Discovery.Failover.Datacenters.Add("dc2");
        });
        Assert.Empty(logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task StartupCheck_AgentUnreachable_WarnsAndLetsTheAppStart()
    {
        var catalog = new FakeConsulCatalogApi
        {
            Datacenters = static () => throw new ConsulException("Consul request failed (test).", ConsulErrorReason.ConnectionFailed, null, null),
        };
        var logger = await StartCheckAsync(catalog, o => o.Discovery.Failover.Datacenters.Add("dc2"));
        var record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal("DiscoveryFailoverCheckSkipped", record.Id.Name);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, record.Level);
    }
}
