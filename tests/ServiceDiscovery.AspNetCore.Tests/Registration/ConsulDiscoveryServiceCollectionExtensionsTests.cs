// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class ConsulDiscoveryServiceCollectionExtensionsTests
{
    [Fact]
    public void AddConsulDiscovery_CalledTwice_EachServiceOnce()
    {
        var services = new ServiceCollection();

        services.AddConsulDiscovery();
        var afterFirstCall = services.Count;
        services.AddConsulDiscovery();

        Assert.Equal(afterFirstCall, services.Count);
        Assert.Single(services, d => d.ServiceType == typeof(ConsulRegistrationService));
        Assert.Single(services, d => d.ServiceType == typeof(IConsulRegistration));
        Assert.Single(services, d => d.ServiceType == typeof(IStartupFilter));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<ConsulOptions>) && d.ImplementationType == typeof(RegistrationOptionsValidator));
        Assert.Single(services, d => d.ServiceType == typeof(IConsulServiceDiscovery));
    }

    [Fact]
    public void AddConsulDiscovery_WithDelegate_AddsDiscoveryAndRunsTheDelegateOnce()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        var calls = 0;

        services.AddConsulDiscovery(o =>
        {
            calls++;
            o.Service.Name = "orders";
        });
        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal(1, calls);
        Assert.NotNull(provider.GetRequiredService<IConsulServiceDiscovery>());
    }

    [Fact]
    public void AddConsulDiscovery_Section_BindsThatSectionThenDelegatesRun()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apps:Orders:Service:Name"] = "orders",
            ["Apps:Orders:Service:Tags:0"] = "v1",
            ["Apps:Orders:Service:Meta:team"] = "payments",
            ["Apps:Orders:Service:Weights:Passing"] = "5",
            ["Apps:Orders:Check:Kind"] = "Ttl",
            ["Apps:Orders:Check:Ttl"] = "00:00:15",
            ["Apps:Orders:Check:AdditionalChecks:0:Kind"] = "Tcp",
            ["Apps:Orders:Check:AdditionalChecks:0:Target"] = "127.0.0.1:6379",
            ["Apps:Orders:Registration:ShutdownMode"] = "Maintenance",
            ["Apps:Orders:Registration:DrainDelay"] = "00:00:07",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        services.AddConsulDiscovery(o => o.Service.Tags.Add("v2"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal("orders", options.Service.Name);
        Assert.Equal(["v1", "v2"], options.Service.Tags);
        Assert.Equal("payments", options.Service.Meta["team"]);
        Assert.Equal(5, options.Service.Weights.Passing);
        Assert.Equal(ConsulCheckKind.Ttl, options.Check.Kind);
        Assert.Equal(TimeSpan.FromSeconds(15), options.Check.Ttl);
        Assert.Equal("127.0.0.1:6379", Assert.Single(options.Check.AdditionalChecks).Target);
        Assert.Equal(ConsulCheckKind.Tcp, options.Check.AdditionalChecks[0].Kind);
        Assert.Equal(ConsulShutdownMode.Maintenance, options.Registration.ShutdownMode);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Registration.DrainDelay);
    }
}
