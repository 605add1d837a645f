// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using ServiceDiscovery.AspNetCore.Internal;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

public sealed class ConsulClientServiceCollectionExtensionsTests
{
    [Fact]
    public void AddConsulClient_Twice_RegistersOnce()
    {
        var once = new ServiceCollection().AddConsulClient();
        var twice = new ServiceCollection().AddConsulClient().AddConsulClient();

        Assert.Equal(Describe(once), Describe(twice));
        Assert.Single(twice, d => d.ServiceType == typeof(ConsulApiClient));
        Assert.Single(twice, d => d.ServiceType == typeof(IConsulAgentApi));
        Assert.Single(twice, d => d.ServiceType == typeof(ConsulClientOptionsValidator));
        Assert.Single(twice, d => d.ServiceType == typeof(ConsulClientEnvironmentDefaults));
    }

    [Fact]
    public void AddConsulOptions_Twice_AddsValidationAndDefaultsOnce()
    {
        var services = new ServiceCollection();
        services.AddConsulOptions(section: null, configure: null);
        services.AddConsulOptions(section: null, configure: null);

        Assert.Single(services, d => d.ServiceType == typeof(IPostConfigureOptions<ConsulOptions>));
        var validators = services.Where(d => d.ServiceType == typeof(IValidateOptions<ConsulOptions>)).Select(d => d.ImplementationType).ToList();
        Assert.NotEmpty(validators);
        Assert.Equal(validators.Distinct().Count(), validators.Count); // each validator once, however many calls
        Assert.Single(services, d => d.ServiceType == typeof(IOptionsMonitor<ConsulClientOptions>));
    }

    [Fact]
    public void ClientOptions_AreTheConnectionPartOfConsulOptions_AndFollowReloads()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = "http://a:8500", ["Consul:Service:Name"] = "orders" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironmentStub());
        services.AddConsulOptions(section: null, o => o.Timeout = TimeSpan.FromSeconds(7));
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<ConsulClientOptions>>();
        var changes = new List<string?>();
        using var subscription = monitor.OnChange(o => changes.Add(o.Address));

        Assert.Equal("http://a:8500", monitor.CurrentValue.Address);
        Assert.Equal(TimeSpan.FromSeconds(7), monitor.CurrentValue.Timeout);
        configuration["Consul:Address"] = "http://b:8500";
        configuration.Reload();

        Assert.Equal("http://b:8500", monitor.CurrentValue.Address);
        Assert.Equal(["http://b:8500"], changes);
    }

    [Fact]
    public void AddConsulClient_KeepsServicesRegisteredBefore()
    {
        var services = new ServiceCollection();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        services.AddSingleton<TimeProvider>(time);

        services.AddConsulClient();
        using var provider = services.BuildServiceProvider();

        Assert.Same(time, provider.GetRequiredService<TimeProvider>());
        Assert.IsType<ConsulApiClient>(provider.GetRequiredService<IConsulHealthApi>());
    }

    [Fact]
    public void AddConsulOptions_FromTwoEntryPoints_BindsOnceAndRunsBothDelegates()
    {
        var first = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["First:Address"] = "http://first:8500", ["First:Datacenter"] = "dc1" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironmentStub());

        services.AddConsulOptions(first.GetSection("First"), o => o.Timeout = TimeSpan.FromSeconds(3));
        services.AddConsulOptions(section: null, o => o.Datacenter += "-edited");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Single(services, d => d.ServiceType == typeof(ConsulOptionsSection));
        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<ConsulOptions>) && d.ImplementationType == typeof(ConsulOptionsSectionBinder));
        Assert.Equal("http://first:8500", options.Address);
        Assert.Null(options.Token);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal("dc1-edited", options.Datacenter);
    }

    [Fact]
    public void AddConsulOptions_NoConfigurationRegistered_UsesDefaults()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironmentStub());
        services.AddConsulOptions(section: null, configure: null);
        using var provider = services.BuildServiceProvider();

        Assert.Equal("http://127.0.0.1:8500", provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Address);
    }

    [Fact]
    public void NamedHttpClient_HasInfiniteTimeoutAndTlsPrimaryHandler()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironmentStub());
        services.AddConsulOptions(section: null, o =>
        {
            o.Tls.InsecureSkipVerify = true;
            o.Tls.ServerName = "server.dc1.consul";
            o.Timeout = TimeSpan.FromSeconds(4);
        });
        using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ConsulApiClient.HttpClientName);
        var builder = provider.GetRequiredService<IOptionsMonitor<HttpClientFactoryOptions>>().Get(ConsulApiClient.HttpClientName);
        var handler = Assert.IsType<SocketsHttpHandler>(ConsulHttpHandlerFactory.Create(provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Client));

        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
        Assert.NotEmpty(builder.HttpMessageHandlerBuilderActions);
        Assert.False(handler.AllowAutoRedirect);
        Assert.Equal(TimeSpan.FromSeconds(4), handler.ConnectTimeout);
        Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        Assert.True(handler.SslOptions.RemoteCertificateValidationCallback(this, null, null, SslPolicyErrors.RemoteCertificateChainErrors));
    }

    [Fact]
    public void HandlerFactory_CaFile_CustomRootTrust()
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new CertificateRequest("CN=Test Consul CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddYears(100));
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, ca.ExportCertificatePem());
            var options = new ConsulClientOptions();
            options.Tls.CaFile = path;

            var handler = ConsulHttpHandlerFactory.Create(options);

            var policy = handler.SslOptions.CertificateChainPolicy!;
            Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
            Assert.Equal(ca.Thumbprint, Assert.Single(policy.CustomTrustStore).Thumbprint);
            // Installed to name a refusal's cause (ConsulTlsDiagnosis); it accepts exactly what the platform accepts.
            Assert.NotNull(handler.SslOptions.RemoteCertificateValidationCallback);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<string> Describe(IServiceCollection services)
        => [.. services.Select(d => $"{d.ServiceType.FullName}|{d.Lifetime}|{d.ImplementationType?.FullName}|{d.ImplementationInstance?.GetType().FullName}|{(d.ImplementationFactory is null ? string.Empty : "factory")}")];

    private sealed class FakeConsulEnvironmentStub : IConsulEnvironment
    {
        public string? GetEnvironmentVariable(string name) => null;
    }
}
