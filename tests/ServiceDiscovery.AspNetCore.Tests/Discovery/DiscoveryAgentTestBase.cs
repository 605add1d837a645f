// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// The life of a discovery test against <see cref="ConsulTarget"/>: a fresh agent (or the real Consul) and a registrar
/// per test, and the discovery services the test built, all disposed after it.
/// </summary>
public abstract class DiscoveryAgentTestBase : IAsyncLifetime
{
    private protected ConsulTarget Consul { get; private set; } = null!;

    private protected AgentRegistrar Registrar { get; private set; } = null!;

    /// <summary>Gets or sets the services a test built; disposed after it.</summary>
    private protected ServiceProvider? Provider { get; set; }

    /// <summary>Builds the discovery services against <see cref="Consul"/> (its address and token as configuration), keeping them in <see cref="Provider"/>.</summary>
    private protected IConsulServiceDiscovery BuildDiscovery(Action<ConsulOptions> configure)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = Consul.Address.ToString(), ["Consul:Token"] = Consul.Token })
            .Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddConsulDiscoveryCache(configure);
        Provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        return Provider.GetRequiredService<IConsulServiceDiscovery>();
    }

    public async ValueTask InitializeAsync()
    {
        Consul = await ConsulTarget.StartAsync();
        Registrar = new AgentRegistrar(Consul);
    }

    public async ValueTask DisposeAsync()
    {
        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }

        await Registrar.DisposeAsync();
        await Consul.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
