// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// The life of an HttpClient integration test against <see cref="ConsulTarget"/>: a fresh agent (or the real Consul),
/// a test-scoped <c>catalog</c> service name, and the client services the test built, disposed after it.
/// </summary>
public abstract class HttpIntegrationTestBase : IAsyncLifetime
{
    private protected ConsulTarget Consul { get; private set; } = null!;

    /// <summary>Gets the test's own name for the catalog service (scoped so runs against a real Consul do not collide).</summary>
    private protected string Catalog { get; private set; } = null!;

    /// <summary>Gets or sets the client services a test built; disposed after it.</summary>
    private protected ServiceProvider? Client { get; set; }

    public async ValueTask InitializeAsync()
    {
        Consul = await ConsulTarget.StartAsync();
        Catalog = Consul.ServiceName("catalog");
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        await Consul.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
