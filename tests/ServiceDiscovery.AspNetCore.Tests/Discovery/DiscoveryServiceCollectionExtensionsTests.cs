// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

public sealed class DiscoveryServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Action<IServiceCollection> add, Dictionary<string, string?>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        add(services);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task AddConsulDiscoveryClient_RegistersOneSingletonCache()
    {
        await using var provider = Build(s => s.AddConsulDiscoveryCache().AddConsulDiscoveryCache());

        var discovery = provider.GetRequiredService<IConsulServiceDiscovery>();

        Assert.IsType<ConsulServiceDiscovery>(discovery);
        Assert.Same(discovery, provider.GetRequiredService<IConsulServiceDiscovery>());
        Assert.Single(provider.GetServices<IConsulServiceDiscovery>());
        Assert.Single(provider.GetServices<IValidateOptions<ConsulOptions>>(), v => v is ConsulDiscoveryCacheOptionsValidator);
    }

    [Fact]
    public async Task AddConsulDiscoveryClient_BindsDiscoveryAndPerServiceSections()
    {
        await using var provider = Build(s => s.AddConsulDiscoveryCache(), new()
        {
            ["Consul:Discovery:PassingOnly"] = "false",
            ["Consul:Discovery:Tags:0"] = "v1",
            ["Consul:Discovery:WaitTime"] = "00:01:00",
            ["Consul:Discovery:Consistency"] = "Stale",
            ["Consul:Discovery:Services:Payments:Datacenter"] = "dc2",
            ["Consul:Discovery:Services:Payments:Tags:0"] = "pci",
            ["Consul:Discovery:Services:Payments:PassingOnly"] = "true",
        });

        var discovery = provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Discovery;

        Assert.False(discovery.PassingOnly);
        Assert.Equal(["v1"], discovery.Tags);
        Assert.Equal(TimeSpan.FromMinutes(1), discovery.WaitTime);
        Assert.Equal(ConsulConsistencyMode.Stale, discovery.Consistency);
        var payments = discovery.Services["payments"];
        Assert.Equal("dc2", payments.Datacenter);
        Assert.Equal(["pci"], payments.Tags);
        Assert.True(payments.PassingOnly);
    }

    [Fact]
    public async Task AddConsulDiscoveryClient_Section_BindsThatSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Infra:Consul:Discovery:IdleTimeout"] = "00:02:00",
        }).Build();
        await using var provider = Build(s => s.AddConsulDiscoveryCache(configuration.GetSection("Infra:Consul")));

        Assert.Equal(TimeSpan.FromMinutes(2), provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Discovery.IdleTimeout);
    }

    [Fact]
    public async Task AddConsulDiscoveryClient_Delegate_RunsAfterBinding()
    {
        await using var provider = Build(
            s => s.AddConsulDiscoveryCache(o => o.Discovery.TaggedAddress = "wan"),
            new() { ["Consul:Discovery:TaggedAddress"] = "lan" });

        Assert.Equal("wan", provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Discovery.TaggedAddress);
    }

    [Fact]
    public async Task AddConsulDiscoveryClient_InvalidSettings_FailValidationNamingTheKey()
    {
        await using var provider = Build(s => s.AddConsulDiscoveryCache(), new() { ["Consul:Discovery:RetryDelay"] = "00:00:00" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulOptions>>().Value);

        Assert.Contains("Consul:Discovery:RetryDelay must be greater than zero", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddConsulDiscoveryClient_CalledTwice_AddsNothingTheSecondTime()
    {
        var services = new ServiceCollection();

        services.AddConsulDiscoveryCache();
        var afterFirstCall = services.Count;
        services.AddConsulDiscoveryCache();

        Assert.Equal(afterFirstCall, services.Count);
    }

    [Fact]
    public void AddConsulDiscoveryClient_NullArguments_Throw()
    {
        IServiceCollection services = new ServiceCollection();

        Assert.Throws<ArgumentNullException>("services", () => ConsulDiscoveryServiceCollectionExtensions.AddConsulDiscoveryCache(null!));
        Assert.Throws<ArgumentNullException>("services", () => ConsulDiscoveryServiceCollectionExtensions.AddConsulDiscoveryCache(null!, o => { }));
        Assert.Throws<ArgumentNullException>("services", () => ConsulDiscoveryServiceCollectionExtensions.AddConsulDiscoveryCache(null!, new ConfigurationBuilder().Build().GetSection("Consul")));
        Assert.Throws<ArgumentNullException>("configure", () => services.AddConsulDiscoveryCache((Action<ConsulOptions>)null!));
        Assert.Throws<ArgumentNullException>("section", () => services.AddConsulDiscoveryCache((IConfigurationSection)null!));
    }
}
