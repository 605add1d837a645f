// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.Tests;

/// <summary>Every public entry point of registration and health rejects null arguments, naming the parameter.</summary>
public sealed class PublicApiTests
{
    private static readonly IConfigurationSection Section = new ConfigurationBuilder().Build().GetSection("Consul");

    [Fact]
    public void AddConsulDiscovery_NullServices_Throws()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddConsulDiscovery()).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddConsulDiscovery(Section)).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddConsulDiscovery(_ => { })).ParamName);
    }

    [Fact]
    public void AddConsulDiscovery_NullSection_Throws()
        => Assert.Equal("section", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddConsulDiscovery((IConfigurationSection)null!)).ParamName);

    [Fact]
    public void AddConsulDiscovery_NullConfigure_Throws()
        => Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddConsulDiscovery((Action<ConsulOptions>)null!)).ParamName);

    [Fact]
    public void MapConsulHealthChecks_NullEndpoints_Throws()
        => Assert.Equal("endpoints", Assert.Throws<ArgumentNullException>(() => ((IEndpointRouteBuilder)null!).MapConsulHealthChecks()).ParamName);

    [Fact]
    public void AddConsulConnectivity_NullArguments_Throw()
    {
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHealthChecksBuilder)null!).AddConsulConnectivity()).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddHealthChecks().AddConsulConnectivity(name: null!)).ParamName);
    }

    [Fact]
    public void OptionsTypes_PublicSealed()
    {
        Type[] types = [typeof(ConsulServiceOptions), typeof(ConsulServiceWeights), typeof(ConsulCheckOptions), typeof(ConsulAdditionalCheckOptions), typeof(ConsulRegistrationOptions)];
        Assert.All(types, t => Assert.True(t.IsSealed && t.IsPublic, t.Name));
    }
}
