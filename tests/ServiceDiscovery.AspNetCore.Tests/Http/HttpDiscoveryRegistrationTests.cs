// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

namespace ServiceDiscovery.AspNetCore.Tests.Http;

public sealed class HttpDiscoveryRegistrationTests
{
    [Fact]
    public void AddConsulServiceEndpointProvider_GoesAheadOfPassThroughAndIsAddedOnce()
    {
        var services = new ServiceCollection();
        services.AddServiceDiscovery(); // configuration + pass-through providers first, as apps usually write it

        services.AddConsulServiceEndpointProvider();
        services.AddConsulServiceEndpointProvider();

        var factories = services.Where(d => d.ServiceType == typeof(IServiceEndpointProviderFactory)).ToList();
        Assert.Equal(typeof(ConsulServiceEndpointProviderFactory), factories[0].ImplementationType);
        Assert.Single(factories, d => d.ImplementationType == typeof(ConsulServiceEndpointProviderFactory));
    }

    [Theory]
    [InlineData("-00:00:01", "Consul:LoadBalancing:EjectionDuration", "Remove it to use the default of 00:00:10.")]
    [InlineData("02:00:00", "Consul:LoadBalancing:EjectionDuration", "Use at most '01:00:00'.")]
    [InlineData("Sticky", "Consul:LoadBalancing:Policy", "Use RoundRobin, Random, PowerOfTwoChoices or Weighted.")]
    public async Task InvalidLoadBalancingSettings_FailAtStartNamingTheKey(string value, string key, string fix)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = "http://127.0.0.1:8500", [key] = value });
        builder.Services.AddHttpClient("c").AddConsulLoadBalancing();
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var failure = Assert.Single(error.Failures);
        Assert.StartsWith($"{key} ", failure, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", failure, StringComparison.Ordinal);
        Assert.EndsWith(fix, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void PublicEntryPoints_NullArguments_Throw()
    {
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHttpClientBuilder)null!).AddConsulLoadBalancing()).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHttpClientBuilder)null!).AddConsulLoadBalancing(ConsulLoadBalancingPolicy.Random)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHttpClientBuilder)null!).AddConsulLoadBalancing<FirstInstanceBalancer>()).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddConsulServiceEndpointProvider()).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServiceCollection().AddHttpClient("c").AddConsulLoadBalancing((ConsulLoadBalancingPolicy)9));
    }

    [Fact]
    public async Task CustomBalancer_IsUsed()
    {
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001), Instances.One("b", port: 5002)));
        var sent = new List<Uri>();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<IConsulServiceDiscovery>(discovery);
        services.AddHttpClient("c")
            .AddConsulLoadBalancing<FirstInstanceBalancer>()
            .ConfigurePrimaryHttpMessageHandler(() => new RecordingHandler(sent));
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("c");

        for (var i = 0; i < 3; i++)
        {
            using var _ = await http.GetAsync(new Uri("http://catalog/x"), TestContext.Current.CancellationToken);
        }

        Assert.All(sent, u => Assert.Equal(5001, u.Port));
    }

    private sealed class FirstInstanceBalancer : IConsulLoadBalancer
    {
        public ConsulServiceInstance Pick(ConsulServiceInstances instances) => instances[0];
    }

    private sealed class RecordingHandler(List<Uri> sent) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
