// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.DependencyInjection;

public sealed class ConsulOptionsSectionTests
{
    /// <summary>Every layer's validator names keys under the section the app bound, not a hard-coded <c>Consul:</c>.</summary>
    [Theory]
    [InlineData("Registration:DrainDelay", "60.00:00:00", "Apps:Orders:Registration:DrainDelay '60.00:00:00' is longer than the limit of '00:10:00'")]
    [InlineData("Service:Name", "orders/v2", "Apps:Orders:Service:Name 'orders/v2' cannot be reached")]
    [InlineData("Discovery:RetryDelay", "00:00:00", "Apps:Orders:Discovery:RetryDelay must be greater than zero")]
    [InlineData("LoadBalancing:EjectionDuration", "2.00:00:00", "Apps:Orders:LoadBalancing:EjectionDuration '2.00:00:00' is longer than the limit of '01:00:00'")]
    [InlineData("Timeout", "01:00:00", "Apps:Orders:Timeout '01:00:00' is longer than the limit of '00:10:00'")]
    public void BadSetting_UnderAnotherSection_MessageNamesTheRealKey(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apps:Orders:Service:Name"] = "orders",
            [$"Apps:Orders:{key}"] = value,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        services.AddHttpClient("c").AddConsulLoadBalancing();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulOptions>>().Value);

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith(expected, failure, StringComparison.Ordinal);
    }

    /// <summary>Issue 22: Go-style durations (Consul's notation) bind in every duration setting, under any section.</summary>
    [Fact]
    public void GoStyleDurations_BindInEverySection_AndCoordination()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apps:Orders:Service:Name"] = "orders",
            ["Apps:Orders:Timeout"] = "1m30s",
            ["Apps:Orders:Registration:DrainDelay"] = "250ms",
            ["Apps:Orders:Check:AdditionalChecks:0:Name"] = "db",
            ["Apps:Orders:Check:AdditionalChecks:0:Kind"] = "Tcp",
            ["Apps:Orders:Check:AdditionalChecks:0:Target"] = "127.0.0.1:5432",
            ["Apps:Orders:Check:AdditionalChecks:0:Interval"] = "1.5s",
            ["Apps:Orders:Check:AdditionalChecks:0:Timeout"] = "500ms",
            ["Apps:Orders:Discovery:WaitTime"] = "00:00:40",
            ["Apps:Orders:LoadBalancing:EjectionDuration"] = "1h",
            ["Apps:Orders:Coordination:Locks:SessionTtl"] = "15s",
            ["Apps:Orders:Coordination:Elections:nightly:LockDelay"] = "2s",
            ["Apps:Orders:Service:Meta:timeout"] = "10s",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        services.AddConsulLocks().AddConsulLeaderElection("nightly");
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(90), options.Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Registration.DrainDelay);
        Assert.Equal(TimeSpan.FromSeconds(1.5), Assert.Single(options.Check.AdditionalChecks).Interval);
        Assert.Equal(TimeSpan.FromSeconds(40), options.Discovery.WaitTime);
        Assert.Equal(TimeSpan.FromHours(1), options.LoadBalancing.EjectionDuration);
        Assert.Equal("10s", options.Service.Meta["timeout"]); // text settings keep their text
        Assert.Equal(TimeSpan.FromSeconds(15), provider.GetRequiredService<IOptions<ConsulLockOptions>>().Value.SessionTtl);
        Assert.Equal(TimeSpan.FromSeconds(2), provider.GetRequiredService<IOptionsMonitor<ConsulLeaderElectionOptions>>().Get("nightly").LockDelay);
    }

    /// <summary>Issue 22: a value of the wrong type anywhere under the section fails start-up naming every such key, its value and an example.</summary>
    [Fact]
    public void WrongTypes_FailNamingEachKeyTheValueAndAnExample()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apps:Orders:Service:Name"] = "orders",
            ["Apps:Orders:Registration:DrainDelay"] = "ten seconds",
            ["Apps:Orders:Service:Port"] = "http",
            ["Apps:Orders:Registration:FailFast"] = "sometimes",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulOptions>>().Value);

        Assert.Equal(
            [
                "Apps:Orders:Registration:DrainDelay 'ten seconds' is not a duration. Use e.g. '10s', '1m30s', '250ms' or '00:00:10'.",
                "Apps:Orders:Registration:FailFast 'sometimes' is not true or false. Use e.g. 'true'.",
                "Apps:Orders:Service:Port 'http' is not a whole number. Use e.g. '8'.",
            ],
            ex.Failures.Order(StringComparer.Ordinal));
    }

    /// <summary>Election and lock settings are bound by their own binder: a wrong type there is reported the same way.</summary>
    [Fact]
    public void WrongType_InCoordination_FailsNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Coordination:Locks:SessionTtl"] = "fifteen",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulLocks();
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulLockOptions>>().Value);

        Assert.Equal("Consul:Coordination:Locks:SessionTtl 'fifteen' is not a duration. Use e.g. '10s', '1m30s', '250ms' or '00:00:10'.", Assert.Single(ex.Failures));
    }

    [Fact]
    public void TwoEntryPoints_NamingDifferentSections_FailAtOnce_NamingBoth()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));

        var ex = Assert.Throws<InvalidOperationException>(() => services.AddConsulDiscoveryCache(configuration.GetSection("Apps:Billing")));

        Assert.Contains("'Apps:Orders'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'Apps:Billing'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("pass the same section", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>A call without a section follows the section another call names, whichever comes first.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EntryPointWithoutSection_FollowsTheNamedSection(bool namedFirst)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Service:Name"] = "from-default-section",
            ["Apps:Orders:Service:Name"] = "orders",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        if (namedFirst)
        {
            services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
            services.AddConsulLocks();
            services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        }
        else
        {
            services.AddConsulLocks();
            services.AddConsulDiscovery(configuration.GetSection("Apps:Orders"));
        }

        using var provider = services.BuildServiceProvider();

        Assert.Equal("orders", provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Service.Name);
    }

    /// <summary>The parts that log keys without the whole options learn the bound section when the options are built.</summary>
    [Fact]
    public void BoundSection_ReachesTheClientAndDiscoverySettings()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscoveryCache(configuration.GetSection("Apps:Orders"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal("Apps:Orders", options.Client.SectionPath);
        Assert.Equal("Apps:Orders:Discovery", options.Discovery.SectionPath);
    }

    /// <summary>The client layer's own messages (connection refused here) name the key under the bound section too.</summary>
    [Fact]
    public async Task ClientFailure_UnderAnotherSection_NamesTheRealAddressKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Apps:Orders:Address"] = $"http://127.0.0.1:{LoopbackPort.Closed()}",
            ["Apps:Orders:Discovery:RetryDelay"] = "00:00:00.050",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddConsulDiscoveryCache(configuration.GetSection("Apps:Orders"));
        await using var provider = services.BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<ConsulException>(async () => await provider.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync("catalog", TestContext.Current.CancellationToken));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, ex.Reason);
        Assert.Contains("Check Apps:Orders:Address (or CONSUL_HTTP_ADDR)", Assert.IsType<ConsulException>(ex.InnerException).Message, StringComparison.Ordinal);
    }
}
