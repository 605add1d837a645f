// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Integration;

/// <summary>Each test gets its own Consul target (the test agent, or a real Consul) and a fleet of the gRPC catalog sample.</summary>
public abstract class CatalogGrpcFleetTests : IAsyncLifetime
{
    protected static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    internal ConsulTarget Consul { get; private set; } = null!;

    internal CatalogGrpcFleet Fleet { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Consul = await ConsulTarget.StartAsync();
        Fleet = new CatalogGrpcFleet(Consul, Consul.ServiceName("catalog-grpc"));
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync();
        await Consul.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
